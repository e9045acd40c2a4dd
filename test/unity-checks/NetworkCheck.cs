using System;
using System.Collections.Generic;
using System.Reflection;
using System.Threading.Tasks;
using Colyseus;
using Kobot;
using Kobot.Schema;
using NativeWebSocket;
using UnityEngine;
using UnityEngine.UI;

/// <summary>
/// Runs KobotNetwork's joining and reconnecting against the SDK stand-ins (test/unity-stubs), which record what the
/// script does to its room, for test/unity.client.test.ts: one case a run, named by the argument. Prints each failed
/// expectation with the room's calls; exits 1 if any.
/// </summary>
public static class NetworkCheck
{
    private static int failures;
    /// <summary>The options of the last join.</summary>
    private static Dictionary<string, object> joinOptions;

    public static int Main(string[] args)
    {
        Console.OutputEncoding = new System.Text.UTF8Encoding(false);
        var cases = new Dictionary<string, Action>
        {
            { "first-state", FirstState },
            { "sdk-reconnect", SdkReconnect },
            { "destroyed-while-dropped", DestroyedWhileDropped },
            { "destroyed-while-joining", DestroyedWhileJoining },
            { "destroyed-before-first-state", DestroyedBeforeFirstState },
            { "retry-on-unity-clock", RetryOnUnityClock },
            { "rejoin-on-unity-clock", RejoinOnUnityClock },
            { "server-close-4000", ServerClose4000 },
            { "own-leave-4000", OwnLeave4000 },
            { "chat-counted-as-the-server-counts", ChatCountedAsTheServerCounts },
            { "dropped-keeps-the-line", DroppedKeepsTheLine },
            { "retries-within-the-place-kept", RetriesWithinThePlaceKept },
            { "stops-where-it-stopped", StopsWhereItStopped },
            { "npc-action-once", NpcActionOnce },
            { "error-once", ErrorOnce },
            { "private-line-shown-once", PrivateLineShownOnce },
            { "join-refused-out-of-date-or-too-long", JoinRefusedOutOfDateOrTooLong },
            { "join-refused-name-taken", JoinRefusedNameTaken },
            { "sign-in-token-of-each-connect", SignInTokenOfEachConnect },
            { "out-of-the-room-words-kept", OutOfTheRoomWordsKept },
            { "notices-each-their-seconds", NoticesEachTheirSeconds },
            { "phone-keyboard-done-sends", PhoneKeyboardDoneSends },
            { "silent-connection-dropped", SilentConnectionDropped },
            { "silent-connection-on-webgl", SilentConnectionOnWebGL },
            { "opening-connection-dropped", OpeningConnectionDropped },
            { "lines-sent-again-once-back", LinesSentAgainOnceBack },
            { "lines-confirmed-by-said", LinesConfirmedBySaid },
            { "join-unanswered-tried-again", JoinUnansweredTriedAgain },
            { "resume-unanswered-tried-again", ResumeUnansweredTriedAgain },
            { "lines-recalled-with-arrows", LinesRecalledWithArrows },
            { "npc-changed-chosen-again", NpcChangedChosenAgain },
            { "long-paste-sent-cleaned", LongPasteSentCleaned },
            { "too-big-not-sent-again", TooBigNotSentAgain },
        };
        Action run;
        if (args.Length != 1 || !cases.TryGetValue(args[0], out run))
        {
            Console.WriteLine("which case? " + string.Join(", ", cases.Keys));
            return 2;
        }
        run();
        return failures == 0 ? 0 : 1;
    }

    /// <summary>The room is put to the scene once its first state has come: callbacks put on the placeholders before it never fire.</summary>
    private static void FirstState()
    {
        var network = Network();
        var room = Join(network);
        Expect(room, Count(room, "Callbacks") == 0 && Count(room, "Callbacks before the first state") == 0, "no callbacks before the first state");
        Expect(room, Count(room, "OnLeave") == 1 && Count(room, "OnDrop") == 1 && Count(room, "OnMessage error") == 1, "leaving, drops and messages heard from the join on");
        Expect(room, network.Room == room, "in the room");
        object schema;
        Expect(room, joinOptions != null && joinOptions.TryGetValue("schema", out schema) && (string)schema == WorldProtocol.SchemaFingerprint, "joined with the state's shape its classes decode");

        room.ReceiveFirstState();
        Expect(room, Count(room, "Callbacks") == 1, "callbacks once the first state came");
        Expect(room, room.Calls.IndexOf("first state") < room.Calls.IndexOf("Callbacks"), "after it");
        Expect(room, Count(room, "OnAdd players") == 1 && Count(room, "OnAdd npcs") == 1 && Count(room, "OnAdd chat") == 1, "on players, NPCs and chat");
        Expect(room, Count(room, "Listen hearingRadius") == 1 && Count(room, "Listen sightRadius") == 1, "on the radii, which an edit of the world file changes");
        Expect(room, Count(room, "State before the first state") == 0, "no state read before it");
    }

    /// <summary>The SDK 0.18 keeps the state and its callbacks through its own reconnection: a second set of them did everything twice.</summary>
    private static void SdkReconnect()
    {
        var network = Network();
        var room = Join(network);
        room.ReceiveFirstState();
        room.Drop(1006);
        room.Reconnected();
        Expect(room, Count(room, "Callbacks") == 1 && Count(room, "OnAdd players") == 1, "the callbacks of the join, no second set");
        Expect(room, network.Room == room, "still in the room");
    }

    /// <summary>
    /// Destroyed while dropped (a scene change): Leave() has no connection to close, and the SDK's reconnection went on
    /// and brought back a player nobody plays, whose scene was then rebuilt.
    /// </summary>
    private static void DestroyedWhileDropped()
    {
        var network = Network();
        var room = Join(network);
        room.ReceiveFirstState();
        room.Drop(1006);
        Message(network, "OnDestroy");
        Expect(room, !room.Reconnection.Enabled, "the SDK starts no reconnection after it");
        var before = room.Calls.Count;
        room.Reconnected(); // one under way already
        var after = room.Calls.GetRange(before, room.Calls.Count - before);
        Expect(room, after.Contains("Leave"), "the room it brings back is left");
        Expect(room, Count(room, "Callbacks") == 1, "and not put to the scene");
    }

    /// <summary>Destroyed while the join was under way: the room it brings is left, not played.</summary>
    private static void DestroyedWhileJoining()
    {
        var network = Network();
        var room = NewRoom();
        var answer = new TaskCompletionSource<Room<WorldState>>();
        StandInServer.JoinOrCreate = options => answer.Task;
        _ = network.Connect("민수"); // runs on as the stand-ins answer
        Message(network, "OnDestroy");
        answer.SetResult(room);
        room.ReceiveFirstState();
        Expect(room, Count(room, "Leave") == 1, "left");
        Expect(room, Count(room, "Callbacks") == 0, "not put to the scene");
        Expect(room, network.Room == null, "not taken");
    }

    /// <summary>Destroyed after the join, before the first state: left, and the state that still comes is not put to the scene.</summary>
    private static void DestroyedBeforeFirstState()
    {
        var network = Network();
        var room = Join(network);
        Message(network, "OnDestroy");
        room.ReceiveFirstState();
        Expect(room, Count(room, "Leave") == 1, "left");
        Expect(room, Count(room, "Callbacks") == 0, "not put to the scene");
    }

    /// <summary>
    /// A refused join is tried again after 1 s, then 2 s, on Unity's clock: a Task.Delay never resumes on WebGL, which
    /// has no thread-pool timers, so the client never joined again there.
    /// </summary>
    private static void RetryOnUnityClock()
    {
        var network = Network();
        var joins = 0;
        StandInServer.JoinOrCreate = options =>
        {
            joins++;
            return Task.FromException<Room<WorldState>>(new HttpException(503, "full"));
        };
        _ = network.Connect("민수");
        Expect(joins == 1, "tried once", "joins: " + joins);
        StandInFrames.Play(0.9);
        Expect(joins == 1, "not again within 1 s", "joins: " + joins);
        StandInFrames.Play(0.2);
        Expect(joins == 2, "again after 1 s of frames", "joins: " + joins);
        StandInFrames.Play(1.8);
        Expect(joins == 2, "then not within 2 s", "joins: " + joins);
        StandInFrames.Play(0.2);
        Expect(joins == 3, "again after 2 s", "joins: " + joins);
    }

    /// <summary>Put out of the room by a close it did not ask for, it asks for its place back 1 s later, on Unity's clock.</summary>
    private static void RejoinOnUnityClock()
    {
        var network = Network();
        var room = Join(network);
        room.ReceiveFirstState();
        var reconnects = 0;
        StandInServer.Reconnect = token =>
        {
            reconnects++;
            return Task.FromResult(NewRoom());
        };
        room.Left(1006); // a drop in the first 5 s, which the SDK does not resume
        Expect(room, network.Room == null, "out of the room");
        StandInFrames.Play(0.9);
        Expect(reconnects == 0, "not back within 1 s", "reconnects: " + reconnects);
        StandInFrames.Play(0.2);
        Expect(reconnects == 1, "place asked back after 1 s of frames", "reconnects: " + reconnects);
        Expect(room, network.Room != null && network.Room != room, "in the room it gave back");
    }

    /// <summary>
    /// A close with 4000 the script did not ask for (the server's disconnect, a room disposed from the monitor) is not
    /// the player's leave: it left the scene frozen, still "in" a room that queued every line.
    /// </summary>
    private static void ServerClose4000()
    {
        var network = Network();
        var room = Join(network);
        room.ReceiveFirstState();
        var reconnects = 0;
        StandInServer.Reconnect = token =>
        {
            reconnects++;
            return Task.FromException<Room<WorldState>>(new MatchMakeException(4212, "room disposed"));
        };
        var joins = 0;
        var next = NewRoom();
        StandInServer.JoinOrCreate = options =>
        {
            joins++;
            return Task.FromResult(next);
        };
        room.Left(4000);
        Expect(room, network.Room == null, "out of the room");
        StandInFrames.Play(1.1);
        Expect(reconnects == 1 && joins == 1, "asked its place back, then joined again", "reconnects: " + reconnects + ", joins: " + joins);
        Expect(next, network.Room == next, "in the new room");
    }

    /// <summary>The player's own leave (the script destroyed) closes with 4000 too: not joined again.</summary>
    private static void OwnLeave4000()
    {
        var network = Network();
        var room = Join(network);
        room.ReceiveFirstState();
        var again = 0;
        StandInServer.Reconnect = token => { again++; return Task.FromResult(NewRoom()); };
        StandInServer.JoinOrCreate = options => { again++; return Task.FromResult(NewRoom()); };
        Message(network, "OnDestroy");
        room.Left(4000);
        StandInFrames.Play(2);
        Expect(again == 0, "not joined again", "reconnects and joins: " + again);
    }

    /// <summary>
    /// A line is measured as the server measures it (an emoji is one character), not by the box's UTF-16 units: 150
    /// emoji go whole; 201 characters are said too long and stay in the box; half an emoji (a paste cut short) is
    /// dropped, where the SDK's strict UTF-8 failed the whole send unseen and the box was cleared.
    /// </summary>
    private static void ChatCountedAsTheServerCounts()
    {
        var ui = ChatUIInRoom();
        var room = (Room<WorldState>)ui.network.Room;
        Expect(ui.input.characterLimit == 0, "no limit on the box in UTF-16 units", "characterLimit: " + ui.input.characterLimit);
        var emoji = "a" + string.Concat(System.Linq.Enumerable.Repeat("😀", 150));
        Enter(ui, emoji);
        Expect(room, room.Texts.Count == 1 && room.Texts[0] == emoji && ui.input.text == "", "151 characters (301 UTF-16 units) sent whole");
        var tooLong = new string('가', WorldProtocol.ChatMaxChars + 1);
        Enter(ui, tooLong);
        Expect(room, room.Texts.Count == 1 && ui.input.text == tooLong, "201 characters not sent, left in the box");
        Expect(ui.error.text == ErrorWords.For(new WorldError { code = "chat_too_long" }, null), "said too long", "error: " + ui.error.text);
        Enter(ui, "안녕 😀\uD83D");
        Expect(room, room.Texts.Count == 2 && room.Texts[1] == "안녕 😀" && ui.input.text == "", "half an emoji left out, the rest sent");
        // Typed as jamo (macOS, iOS): 150 syllables are 450 code points, which the server composes into its 150.
        var jamo = new string('한', 150).Normalize(System.Text.NormalizationForm.FormD);
        Enter(ui, jamo);
        Expect(room, room.Texts.Count == 3 && ui.input.text == "", "150 syllables typed as jamo sent (" + jamo.Length + " code points)");
        // What the server cleans before it counts: double spaces, a pasted zero-width space, a bidi mark, soft hyphens.
        var syllables = new string('가', 100);
        foreach (var line in new[] { syllables + "     " + new string('나', 99), new string('가', 200) + "\u200B\u200B\u200B", new string('가', 200) + "\u200F\u200F", new string('가', 190) + new string('\u00AD', 15) })
        {
            var sent = room.Texts.Count;
            Enter(ui, line);
            Expect(room, room.Texts.Count == sent + 1 && ui.input.text == "", "a line the server counts 200 at most is sent (" + line.Length + " UTF-16 units)");
        }
    }

    /// <summary>
    /// On a phone no Return key is held: the on-screen keyboard's Done sends the line; closed otherwise (cancelled, or
    /// a tap elsewhere), the line stays in the box.
    /// </summary>
    private static void PhoneKeyboardDoneSends()
    {
        var ui = ChatUIInRoom();
        var room = (Room<WorldState>)ui.network.Room;
        TouchScreenKeyboard.isSupported = true;
        try
        {
            foreach (var closed in new[] { TouchScreenKeyboard.Status.Canceled, TouchScreenKeyboard.Status.LostFocus, TouchScreenKeyboard.Status.Done })
            {
                ui.input.touchScreenKeyboard = new TouchScreenKeyboard { status = closed };
                ui.input.text = "@코봇 안녕";
                ui.GetType().GetMethod("Submit", BindingFlags.Instance | BindingFlags.NonPublic).Invoke(ui, new object[] { "@코봇 안녕" });
                var sent = closed == TouchScreenKeyboard.Status.Done;
                Expect(room, Count(room, "Send chat") == (sent ? 1 : 0) && ui.input.text == (sent ? "" : "@코봇 안녕"), "keyboard closed " + closed + (sent ? ": sent" : ": kept in the box"));
            }
        }
        finally
        {
            TouchScreenKeyboard.isSupported = false;
        }
    }

    /// <summary>
    /// A build the server's schema has moved past (426) raises OutOfDate, not NameRefused (another name cannot help);
    /// a name so long that the join is over 16 KiB (413) raises NameRefused. Neither is tried again.
    /// </summary>
    private static void JoinRefusedOutOfDateOrTooLong()
    {
        foreach (var code in new[] { 426, 413 })
        {
            var network = Network();
            var raised = new List<string>();
            network.OutOfDate += words => raised.Add("OutOfDate");
            network.NameRefused += words => raised.Add("NameRefused");
            network.AccountNameRefused += words => raised.Add("AccountNameRefused");
            var joins = 0;
            StandInServer.JoinOrCreate = options =>
            {
                joins++;
                return Task.FromException<Room<WorldState>>(new HttpException(code, "refused"));
            };
            _ = network.Connect("민수");
            StandInFrames.Play(30);
            var expected = code == 426 ? "OutOfDate" : "NameRefused";
            Expect(joins == 1 && raised.Count == 1 && raised[0] == expected, code + " raises " + expected + " once, not tried again", "joins: " + joins + ", raised: " + string.Join(", ", raised));
        }
    }

    /// <summary>
    /// A name taken in the room: the account's (the token's, which no name given to Connect can mend) raises
    /// AccountNameRefused, a name given to Connect raises NameRefused with the taken name's words.
    /// </summary>
    private static void JoinRefusedNameTaken()
    {
        var refusals = new Dictionary<string, string>
        {
            { "account name refused: name_taken: a player in this room is named \"민수\", which \"믾수\" looks like: change the account's name in the game", "AccountNameRefused" },
            { "name_taken: a player in this room is named \"민수\", which \"민 수\" looks like: choose another name", "NameRefused" },
        };
        foreach (var refusal in refusals)
        {
            var network = Network();
            var raised = new List<string>();
            network.NameRefused += words => raised.Add("NameRefused " + words);
            network.AccountNameRefused += words => raised.Add("AccountNameRefused " + words);
            StandInServer.JoinOrCreate = options => Task.FromException<Room<WorldState>>(new HttpException(400, refusal.Key));
            _ = network.Connect("민수");
            StandInFrames.Play(30);
            bool retry;
            var expected = refusal.Value + " " + ErrorWords.ForJoin(400, refusal.Value == "AccountNameRefused", refusal.Value == "NameRefused", out retry);
            Expect(raised.Count == 1 && raised[0] == expected, refusal.Key + " raises " + expected, "raised: " + string.Join(", ", raised));
        }
    }

    /// <summary>
    /// Each Connect joins with the AuthToken as it is then: a game that lets a banned or signed-out player on as a guest
    /// clears it, and the Client kept between Connects still sent the old account's token (refused again as banned).
    /// </summary>
    private static void SignInTokenOfEachConnect()
    {
        var network = Network();
        var raised = new List<string>();
        network.Banned += words => raised.Add("Banned");
        StandInServer.JoinOrCreate = options => Task.FromException<Room<WorldState>>(new HttpException(403, "banned"));
        network.AuthToken = "token-of-account-A";
        _ = network.Connect("민수");
        Expect(StandInServer.JoinedWithToken == "token-of-account-A" && raised.Count == 1, "signed in as A, and banned", "token: " + StandInServer.JoinedWithToken + ", raised: " + string.Join(", ", raised));
        foreach (var guest in new[] { null, "" })
        {
            network.AuthToken = guest;
            _ = network.Connect("손님");
            Expect(StandInServer.JoinedWithToken == null, "a guest (AuthToken " + (guest == null ? "null" : "\"\"") + ") joins with no token", "token: " + StandInServer.JoinedWithToken);
        }
        network.AuthToken = "token-of-account-B";
        _ = network.Connect("영희");
        Expect(StandInServer.JoinedWithToken == "token-of-account-B", "signed in again, as B", "token: " + StandInServer.JoinedWithToken);
    }

    /// <summary>
    /// Why the player is out of the room (put out, banned, a join refused, a join retried) stays in the error text until
    /// they are in a room again, then its 5 s: it went after 5 s, leaving "연결 끊김" and no why, as the browser keeps
    /// such notices (showNotice with untilOpen).
    /// </summary>
    private static void OutOfTheRoomWordsKept()
    {
        bool retry;
        foreach (var code in new[] { 4410, 4403 })
        {
            var ui = ChatUIInRoom();
            var room = (Room<WorldState>)ui.network.Room;
            var words = ErrorWords.ForJoin(code, false, out retry);
            Time.time = 100;
            room.Left(code);
            Frame(ui, 106);
            Expect(ui.error.text == words && ui.status.text == "연결 끊김", code + ": the words kept 6 s later", "error: " + ui.error.text);
            Frame(ui, 1000);
            Expect(ui.error.text == words, code + ": and a while later", "error: " + ui.error.text);
            if (code != 4410) continue;
            // The player joins again (a kick allows it): in the room, the words go 5 s later.
            var next = Join(ui.network);
            next.ReceiveFirstState();
            Frame(ui, 1004.9f);
            Expect(ui.error.text == words, "back in a room: the words their 5 s more", "error: " + ui.error.text);
            Frame(ui, 1005.1f);
            Expect(ui.error.text == "", "then gone", "error: " + ui.error.text);
        }

        // A join refused for good (a name) and one retried (a server full) are kept too, the retried one once.
        var chat = ChatUIOutOfRoom();
        var joining = chat.network;
        Time.time = 0;
        StandInServer.JoinOrCreate = options => Task.FromException<Room<WorldState>>(new HttpException(503, "full"));
        _ = joining.Connect("민수");
        StandInFrames.Play(20);
        Frame(chat, 20);
        var full = ErrorWords.ForJoin(503, false, out retry);
        Expect(chat.error.text == full, "a join retried: its words kept, once, while it is tried again", "error: " + chat.error.text);
        var room2 = NewRoom();
        StandInServer.JoinOrCreate = options => Task.FromResult(room2);
        StandInFrames.Play(10); // its next try
        room2.ReceiveFirstState();
        Expect(room2, joining.Room == room2, "in at the next try");
        Frame(chat, 24.9f);
        Expect(chat.error.text == full, "in: 5 s more", "error: " + chat.error.text);
        Frame(chat, 25.1f);
        Expect(chat.error.text == "", "then gone", "error: " + chat.error.text);
        // Raised for the game, which asks another name: the words stay meanwhile.
        var refusedUi = ChatUIOutOfRoom();
        var refused = refusedUi.network;
        StandInServer.JoinOrCreate = options => Task.FromException<Room<WorldState>>(new HttpException(400, "name refused"));
        _ = refused.Connect("나쁜이름");
        Frame(refusedUi, 60);
        Expect(refusedUi.error.text == ErrorWords.ForJoin(400, false, out retry), "a name refused: its words kept while the player types another", "error: " + refusedUi.error.text);
    }

    /// <summary>
    /// Notices that come together are all read, newest first, the two before it under it (as the browser's): one Text
    /// showed only the last, and npc_timeout for one question and npc_busy for the next come within a frame. Each goes
    /// after its own 5 s (one pushed down, 5 s from then); the same words again are not listed twice.
    /// </summary>
    private static void NoticesEachTheirSeconds()
    {
        var ui = ChatUIInRoom();
        var room = (Room<WorldState>)ui.network.Room;
        ui.AddNpc("kobot", "코봇", false);
        var timeout = ErrorWords.For(new WorldError { code = "npc_timeout", npcId = "kobot" }, "코봇");
        var busy = ErrorWords.For(new WorldError { code = "npc_busy", npcId = "kobot" }, "코봇");
        Time.time = 10;
        room.Deliver("error", new WorldError { code = "npc_timeout", npcId = "kobot", message = "late" });
        room.Deliver("error", new WorldError { code = "npc_busy", npcId = "kobot", text = "@코봇 또 물어볼게", message = "busy" });
        Expect(ui.error.text == busy + "\n" + timeout, "both shown, the newest first", "error: " + ui.error.text);
        Frame(ui, 13);
        ui.ShowError("셋째");
        Frame(ui, 14);
        ui.ShowError("넷째");
        Expect(ui.error.text == "넷째\n셋째\n" + busy, "three at most", "error: " + ui.error.text);
        Frame(ui, 18.5f);
        Expect(ui.error.text == "넷째\n셋째", "each its own 5 s: the one pushed down at 13 gone", "error: " + ui.error.text);
        Frame(ui, 19.1f);
        Expect(ui.error.text == "", "all gone", "error: " + ui.error.text);
        Frame(ui, 30);
        ui.ShowError("다섯째");
        Frame(ui, 33);
        ui.ShowError("다섯째");
        Frame(ui, 37.5f);
        Expect(ui.error.text == "다섯째", "the same words again: once, their 5 s from the last", "error: " + ui.error.text);
    }

    /// <summary>A frame of the chat UI at <paramref name="time"/> (Unity's Time.time).</summary>
    private static void Frame(ChatUI ui, float time)
    {
        Time.time = time;
        Message(ui, "Update");
    }

    /// <summary>
    /// Dropped, nothing is sent, and the line stays in the box: the SDK queued it with the moves sent 10 a second,
    /// keeping the last 10, so it was pushed out, after the box had been cleared. The box keeps its focus (turned off, uGUI
    /// let go of it: the keys typed next walked the avatar, and the words saying the line waits never came), as the
    /// browser keeps it. Back, the player talks again.
    /// </summary>
    private static void DroppedKeepsTheLine()
    {
        var ui = ChatUIInRoom();
        var network = ui.network;
        var room = (Room<WorldState>)network.Room;
        ui.input.Focused = true;
        ui.input.text = "@코봇 안";
        room.Drop(1006);
        Expect(room, ui.input.interactable && ui.IsTyping && ui.input.text == "@코봇 안", "the box, its focus and its text kept while dropped");
        Enter(ui, "@코봇 안녕");
        Expect(room, Count(room, "Send chat") == 0 && ui.input.text == "@코봇 안녕", "not sent, kept in the box");
        Expect(ui.error.text == ErrorWords.WaitingToSend, "said to wait", "error: " + ui.error.text);
        network.SendMove(new Vector3(1, 0, 1), 0, "walk");
        Expect(room, Count(room, "Send move") == 0, "no moves queued while dropped");
        room.Reconnected();
        Expect(room, ui.input.interactable, "the box is on once back");
        Enter(ui, "@코봇 안녕");
        Expect(room, Count(room, "Send chat") == 1 && ui.input.text == "", "sent once back");
    }

    /// <summary>An NPC's action notice sent again after a silent drop (the same line) is passed on once.</summary>
    private static void NpcActionOnce()
    {
        var network = Network();
        var room = Join(network);
        room.ReceiveFirstState();
        var done = new List<string>();
        network.NpcAction += notice => done.Add(notice.lineId);
        var shop = new NpcActionNotice { npcId = "hans", action = "open_shop", lineId = "L1", replyTo = "Q1" };
        room.Deliver("npc_action", shop);
        room.Deliver("npc_action", shop); // sent again once the player was back
        room.Deliver("npc_action", new NpcActionNotice { npcId = "hans", action = "open_shop", lineId = "L2", replyTo = "Q2" });
        Expect(room, string.Join(",", done) == "L1,L2", "each line's action once: " + string.Join(",", done));
    }

    /// <summary>
    /// An error sent again after a reconnection (its pong never reached the server) is acted on once: taken again, the
    /// stale rate_limited took back the same words sent again since, never sent, and put them back in the box.
    /// </summary>
    private static void ErrorOnce()
    {
        var ui = ChatUIInRoom();
        var room = (Room<WorldState>)ui.network.Room;
        var limited = new WorldError { id = "E1", code = "rate_limited", text = "안녕", retryAfterMs = 500, message = "too fast" };
        Enter(ui, "안녕");
        room.Deliver("error", limited);
        Expect(room, ui.input.text == "안녕", "the refused line back in the box");
        Enter(ui, "안녕"); // sent again by the player, into a socket that has just died
        room.Drop(1006);
        room.Reconnected();
        room.Deliver("error", limited); // the server's copy
        StandInFrames.Play(1.2);
        Expect(room, string.Join("|", room.Texts) == "안녕|안녕|안녕" && ui.input.text == "", "the line sent again once back, the box left empty: " + string.Join("|", room.Texts) + "; box \"" + ui.input.text + "\"");
    }

    /// <summary>
    /// Talk with an NPC in private comes as <c>private_line</c> messages, not in the state's chat: each is shown among
    /// the chat's lines once, though one held over a drop comes again, and the player's own question, come back so,
    /// is not sent again after a drop. One that comes before the first state is shown without reading the state.
    /// </summary>
    private static void PrivateLineShownOnce()
    {
        var ui = ChatUIInRoom();
        var room = (Room<WorldState>)ui.network.Room;
        Enter(ui, "@한스 비밀이야");
        var question = new PrivateLineMessage { id = "P1", kind = "player", from = "session-1", name = "민수", text = "@한스 비밀이야", ts = 1000, replyTo = "" };
        room.Deliver(WorldProtocol.PrivateLine, question);
        room.Deliver(WorldProtocol.PrivateLine, new PrivateLineMessage { id = "P2", kind = "npc", from = "hans", name = "한스", text = "쉿, 너만 알아", ts = 1200, replyTo = "P1" });
        room.Deliver(WorldProtocol.PrivateLine, question); // held over a drop and sent again
        Expect(ui.history.text == "<b>민수</b>: @한스 비밀이야\n<b>한스</b>: 쉿, 너만 알아", "each line shown once, in order", "history: " + ui.history.text);
        var sent = room.Texts.Count;
        room.Drop(1006);
        room.Reconnected();
        StandInFrames.Play(1.1);
        Expect(room, room.Texts.Count == sent, "the question it heard back is not sent again: " + string.Join("|", room.Texts));

        var joining = ChatUIInRoom(false);
        var early = (Room<WorldState>)joining.network.Room;
        early.Deliver(WorldProtocol.PrivateLine, new PrivateLineMessage { id = "P3", kind = "npc", from = "hans", name = "한스", text = "다시 왔네", ts = 2000, replyTo = "" });
        Expect(joining.history.text == "<b>한스</b>: 다시 왔네", "shown before the first state", "history: " + joining.history.text);
        Expect(early, Count(early, "State before the first state") == 0, "no state read before it came");
    }

    /// <summary>
    /// The SDK's own retries end within the 20 s the server keeps a dropped player's place (its default 15 took ~56 s),
    /// and the last one still starts inside it.
    /// </summary>
    private static void RetriesWithinThePlaceKept()
    {
        var network = Network();
        var room = Join(network);
        var reconnection = room.Reconnection;
        int waited = 0;
        for (int retry = 1; retry <= reconnection.MaxRetries; retry++)
        {
            waited += Math.Min(reconnection.MaxDelay, Math.Max(reconnection.MinDelay, reconnection.Backoff(retry, reconnection.Delay)));
        }
        var kept = WorldProtocol.ReconnectSeconds * 1000;
        Expect(room, waited <= kept, "the retries' waits fit in the place kept (" + reconnection.MaxRetries + " retries, " + waited + " ms of " + kept + ")");
        var oneMore = waited + Math.Min(reconnection.MaxDelay, Math.Max(reconnection.MinDelay, reconnection.Backoff(reconnection.MaxRetries + 1, reconnection.Delay)));
        Expect(room, oneMore > kept, "as many as fit: one more would start after it (" + oneMore + " ms)");
    }

    /// <summary>
    /// The avatar walks right for 1 s and stops, over a network of 25 ms each way and patches 20 times a second: it
    /// stands where it stopped, though the server's positions of the moves before the stop come in after it (it was put
    /// back to them, up to a metre, then forward again); standing, a position the server gives later is taken.
    /// </summary>
    private static void StopsWhereItStopped()
    {
        var network = Network();
        var room = Join(network);
        room.ReceiveFirstState();
        var avatar = new LocalAvatar();
        avatar.Init(network, "민수", 0, 0);
        avatar.ServerPosition(new Vector3(0, 0, 0));
        const double oneWay = 0.025, patchEvery = 0.05, dt = 1.0 / 60;
        double serverX = 0, nextPatch = patchEvery, stoppedAt = double.NaN, mostBack = 0;
        var moves = new List<KeyValuePair<double, double>>(); // (when it reaches the server, x)
        var patches = new List<KeyValuePair<double, double>>(); // (when it reaches the client, x)
        int seen = 0;
        for (int frame = 0; frame < 90; frame++)
        {
            double now = frame * dt;
            Time.time = (float)now;
            Time.deltaTime = (float)dt;
            Input.Horizontal = now < 1.0 ? 1f : 0f;
            foreach (var move in moves.FindAll(m => m.Key <= now)) serverX = move.Value;
            moves.RemoveAll(m => m.Key <= now);
            for (; nextPatch <= now; nextPatch += patchEvery) patches.Add(new KeyValuePair<double, double>(nextPatch + oneWay, serverX));
            foreach (var patch in patches.FindAll(p => p.Key <= now)) avatar.ServerPosition(new Vector3((float)patch.Value, 0, 0));
            patches.RemoveAll(p => p.Key <= now);
            Message(avatar, "Update");
            for (; seen < room.Sent.Count; seen++)
            {
                if (room.Sent[seen].Key != "move") continue;
                var move = (Dictionary<string, object>)room.Sent[seen].Value;
                moves.Add(new KeyValuePair<double, double>(now + oneWay, (float)move["x"]));
                if ((string)move["anim"] == "idle") stoppedAt = avatar.transform.position.x;
            }
            if (!double.IsNaN(stoppedAt)) mostBack = Math.Max(mostBack, Math.Abs(stoppedAt - avatar.transform.position.x));
        }
        Expect(!double.IsNaN(stoppedAt) && stoppedAt > 5, "walked, then stopped", "stopped at " + stoppedAt);
        Expect(mostBack < 0.01, "stands where it stopped", "moved " + mostBack.ToString("0.00") + " m after stopping");

        // Standing, a position the server gives later (it clamped a move, or put the avatar elsewhere) is taken.
        avatar.ServerPosition(new Vector3(3, 0, 0));
        Input.Horizontal = 0f;
        for (int frame = 90; frame < 160; frame++)
        {
            Time.time = (float)(frame * dt);
            Message(avatar, "Update");
        }
        Expect(Math.Abs(avatar.transform.position.x - 3) < 0.01, "the server's later position taken", "x " + avatar.transform.position.x);
        Input.Horizontal = 0f;
        Time.time = 0f;
        Time.deltaTime = 0f;
    }

    /// <summary>
    /// The server sends its clock every second: an open connection that brings nothing for SilenceNoticedSeconds has
    /// a dead socket (a network that forgot it, without a close), which is dropped so that the SDK resumes the room on
    /// a new one. Not before, and not while the connection is not open (the SDK resuming it): the silence counts from
    /// the new socket.
    /// </summary>
    private static void SilentConnectionDropped()
    {
        var ui = ChatUIInRoom();
        var room = (Room<WorldState>)ui.network.Room;
        for (var second = 0; second < 10; second++)
        {
            StandInFrames.Play(1);
            room.Patched();
        }
        Expect(room, Count(room, "Drop") == 0, "not dropped while the server's clock comes every second");
        StandInFrames.Play(WorldProtocol.SilenceNoticedSeconds - 0.1);
        Expect(room, Count(room, "Drop") == 0, "not dropped within " + WorldProtocol.SilenceNoticedSeconds + " s of silence");
        StandInFrames.Play(1.2);
        Expect(room, Count(room, "Drop") == 1, "dropped once silent " + WorldProtocol.SilenceNoticedSeconds + " s (looked at once a second)");
        Expect(room, ui.status.text == "다시 연결 중…" && ui.input.interactable && ui.network.Room == room, "taken as the SDK's drop: said, the box kept on, the room kept for the SDK to resume");
        StandInFrames.Play(30);
        Expect(room, Count(room, "Drop") == 1, "not dropped again while not open");
        room.Reconnected();
        StandInFrames.Play(WorldProtocol.SilenceNoticedSeconds - 0.1);
        Expect(room, Count(room, "Drop") == 1, "the silence counted from the new socket");
        StandInFrames.Play(1.2);
        Expect(room, Count(room, "Drop") == 2, "and dropped again once it is silent too");
    }

    /// <summary>
    /// On WebGL the SDK's Drop() throws (it closes the browser's socket with 1006, which a browser refuses): the room
    /// is let go (left, its own reconnection off) and taken back by its token 1 s later, as after a leave; its
    /// socket's late close does not put the player out of the room taken back.
    /// </summary>
    private static void SilentConnectionOnWebGL()
    {
        var ui = ChatUIInRoom();
        var network = ui.network;
        var room = (Room<WorldState>)network.Room;
        room.Connection.RefusesDrop = true;
        var next = NewRoom();
        var reconnects = 0;
        StandInServer.Reconnect = token =>
        {
            reconnects++;
            return Task.FromResult(next);
        };
        Enter(ui, "들리니?"); // into the dead socket
        StandInFrames.Play(WorldProtocol.SilenceNoticedSeconds + 1.1);
        Expect(room, Count(room, "Drop") == 1 && Count(room, "Leave") == 1 && !room.Reconnection.Enabled, "Drop() refused: left, the SDK's reconnection off");
        Expect(room, network.Room == null, "out of the room");
        StandInFrames.Play(1.1);
        Expect(reconnects == 1 && network.Room == next, "taken back by its token 1 s later", "reconnects: " + reconnects);
        next.ReceiveFirstState();
        room.Left((int)CloseCode.CONSENTED); // the old socket closes at last
        Expect(next, network.Room == next && ui.status.text == "접속 중", "still in the room taken back");
        StandInFrames.Play(1.1);
        Expect(next, next.Texts.Count == 1 && next.Texts[0] == "들리니?", "the line sent into the dead socket sent again");
    }

    /// <summary>
    /// A try of the SDK whose socket stays opening (a network that takes the connection and passes nothing, and so
    /// never closes it) is closed after 10 s, for the SDK to try again on a new socket; not before, not a socket closed
    /// between tries (the SDK opens the next), and each try counts from its own start. On WebGL, where Drop() closes
    /// only an open socket, it is closed with Close().
    /// </summary>
    private static void OpeningConnectionDropped()
    {
        var ui = ChatUIInRoom();
        var network = ui.network;
        var room = (Room<WorldState>)network.Room;
        room.Drop(1006);
        StandInFrames.Play(30);
        Expect(room, Count(room, "Drop") == 0, "a connection closed between the SDK's tries left to the SDK");
        room.Retrying();
        StandInFrames.Play(9.9);
        Expect(room, Count(room, "Drop") == 0, "not dropped within 10 s of opening");
        StandInFrames.Play(1.4);
        Expect(room, Count(room, "Drop") == 1 && room.Connection.State == WebSocketState.Closed, "dropped once opening 10 s (looked at once a second)");
        Expect(room, network.Room == room, "the room kept for the SDK's next try");
        StandInFrames.Play(30);
        Expect(room, Count(room, "Drop") == 1, "not dropped again while closed between tries");
        room.Retrying();
        StandInFrames.Play(5);
        room.Drop(1006); // that try fails, and the next opens before the watch looks
        room.Retrying();
        StandInFrames.Play(9.9);
        Expect(room, Count(room, "Drop") == 1, "a try counted from its own start, not the one before");
        StandInFrames.Play(1.4);
        Expect(room, Count(room, "Drop") == 2, "and dropped 10 s into it");

        room.Connection.RefusesDrop = true; // WebGL
        room.Retrying();
        StandInFrames.Play(11.3);
        Expect(room, Count(room, "Drop") == 3 && Count(room, "Close") == 1 && room.Connection.State == WebSocketState.Closed, "on WebGL closed with Close()");
        Expect(room, network.Room == room && room.Reconnection.Enabled, "the room kept for the SDK's next try there too");
    }

    /// <summary>
    /// Lines sent into a socket that died unnoticed are sent again 1 s after the SDK resumed the room, in order, and the
    /// player is told; not those the room showed (their echo: the player's own line in its chat) or refused. A resumed
    /// room sends its lines again: an earlier line's echo with the same words is not the echo of the line sent into the
    /// dead socket.
    /// </summary>
    private static void LinesSentAgainOnceBack()
    {
        var ui = ChatUIInRoom();
        var network = ui.network;
        var room = (Room<WorldState>)network.Room;
        Enter(ui, "안녕");
        Heard(network, "L1", "player", "session-1", "안녕");
        Enter(ui, "@코봇 뭐 해?");
        Enter(ui, "안녕");
        Enter(ui, "반가워");
        Enter(ui, "너무 빨라");
        room.Deliver("error", new WorldError { code = "rate_limited", text = "너무 빨라" });
        StandInFrames.Play(WorldProtocol.SilenceNoticedSeconds + 1.1);
        Expect(room, Count(room, "Drop") == 1, "the silent connection dropped");
        room.Reconnected();
        Heard(network, "L1", "player", "session-1", "안녕"); // the room's lines, sent again
        Heard(network, "L2", "player", "session-1", "반가워"); // this one did reach the room
        Heard(network, "L3", "player", "someone", "@코봇 뭐 해?");
        var sent = room.Texts.Count;
        StandInFrames.Play(0.9);
        Expect(room, room.Texts.Count == sent, "not sent again within 1 s of being back");
        StandInFrames.Play(0.2);
        var again = room.Texts.GetRange(sent, room.Texts.Count - sent);
        Expect(room, string.Join("|", again) == "@코봇 뭐 해?|안녕", "the unconfirmed lines sent again, in order: " + string.Join("|", again));
        // Newest (the rate_limited before it stays under it its 5 s: Time.time does not move here).
        Expect(ui.error.text.Split('\n')[0] == ErrorWords.SentAgain(2), "the player told", "error: " + ui.error.text);
        room.Drop(1006);
        room.Reconnected();
        StandInFrames.Play(1.1);
        Expect(room, room.Texts.Count == sent + 4, "the lines sent again are kept until confirmed too: " + string.Join("|", room.Texts));
    }

    /// <summary>
    /// A paste is sent as it is measured, cleaned: "hi", 9000 ideographic spaces and "there" is 8 characters so but
    /// 27,007 bytes raw, and Zalgo's 260 marks a letter cut to 3: sent raw, each closed the socket (1009) at each sending.
    /// </summary>
    private static void LongPasteSentCleaned()
    {
        var ui = ChatUIInRoom();
        var room = (Room<WorldState>)ui.network.Room;
        Enter(ui, "hi" + new string('\u3000', 9000) + "there");
        var zalgo = string.Concat(System.Linq.Enumerable.Repeat("x" + new string('\u0301', 260), 50));
        Enter(ui, zalgo);
        var cut = string.Concat(System.Linq.Enumerable.Repeat("x\u0301\u0301\u0301", 50)).Normalize(System.Text.NormalizationForm.FormC);
        Expect(room, room.Texts.Count == 2 && room.Texts[0] == "hi there" && room.Texts[1] == cut, "sent cleaned: " + string.Join("|", room.Texts.ConvertAll(t => t.Length.ToString())));
    }

    /// <summary>
    /// The server closed the socket for a message past its cap (1009): the lines unconfirmed then are not sent again by
    /// themselves once back (one of them was it, and closed every socket it went on), each a ↑ away in the box.
    /// </summary>
    private static void TooBigNotSentAgain()
    {
        var ui = ChatUIInRoom();
        var room = (Room<WorldState>)ui.network.Room;
        Enter(ui, "잘 가요");
        var next = NewRoom();
        next.SessionId = "session-2";
        StandInServer.Reconnect = token => Task.FromException<Room<WorldState>>(new MatchMakeException(4212, "no place kept"));
        StandInServer.JoinOrCreate = options => Task.FromResult(next);
        room.Left(1009);
        StandInFrames.Play(1.1);
        next.ReceiveFirstState();
        Expect(next, ui.network.Room == next, "in the room again");
        StandInFrames.Play(2.2);
        Expect(next, next.Texts.Count == 0, "nothing sent again: " + string.Join("|", next.Texts));
        ui.input.Focused = true;
        Press(ui, KeyCode.UpArrow);
        Expect(ui.input.text == "잘 가요", "the line a ↑ away", "box: " + ui.input.text);
    }

    /// <summary>
    /// Each line goes with a sendId of its own, and the room's <c>said</c> for it confirms it: in a busy room its echo
    /// was pushed out of the history before the player was back, and the line was sent again, said twice. A line sent
    /// again goes with the id it first had, for the room to answer it as before.
    /// </summary>
    private static void LinesConfirmedBySaid()
    {
        var ui = ChatUIInRoom();
        var network = ui.network;
        var room = (Room<WorldState>)network.Room;
        Enter(ui, "중복확인");
        Enter(ui, "중복확인");
        Enter(ui, "@코봇 하나");
        var ids = room.Sent.FindAll(s => s.Key == "chat").ConvertAll(s => ((Dictionary<string, object>)s.Value)["sendId"] as string);
        Expect(room, ids.Count == 3 && ids.TrueForAll(id => id != null && System.Text.RegularExpressions.Regex.IsMatch(id, "^[A-Za-z0-9_-]{1,64}$")) && new HashSet<string>(ids).Count == 3, "a plain sendId of its own on each line: " + string.Join("|", ids));
        room.Deliver(WorldProtocol.Said, new SaidNotice { sendId = ids[1], lineId = "L2" });
        room.Deliver("error", new WorldError { id = "E1", code = "too_far", text = "@코봇 하나", sendId = ids[2] });
        room.Drop(1006);
        room.Reconnected();
        var before = room.Sent.Count;
        StandInFrames.Play(1.1);
        var again = room.Sent.GetRange(before, room.Sent.Count - before).FindAll(s => s.Key == "chat").ConvertAll(s => (Dictionary<string, object>)s.Value);
        Expect(room, again.Count == 1 && (string)again[0]["text"] == "중복확인" && (string)again[0]["sendId"] == ids[0], "only the line with no said nor refusal sent again, with its first sendId: " + again.Count);
    }

    /// <summary>
    /// A join whose request never ends (sent on a pooled socket the network forgot) counts as no answer after 15 s of
    /// Unity's clock and is tried again, as after any failure without a code; the client said 다시 연결 중… for good.
    /// The room it brings after all is left: it stood a second avatar of the player beside the next try's.
    /// </summary>
    private static void JoinUnansweredTriedAgain()
    {
        var network = Network();
        var unanswered = new TaskCompletionSource<Room<WorldState>>();
        var next = NewRoom();
        var joins = 0;
        StandInServer.JoinOrCreate = options => ++joins == 1 ? unanswered.Task : Task.FromResult(next);
        _ = network.Connect("민수");
        StandInFrames.Play(14.9);
        Expect(joins == 1, "not tried again within 15 s", "joins: " + joins);
        StandInFrames.Play(1.3);
        Expect(joins == 2 && network.Room == next, "joined again once 15 s passed without an answer (then 1 s, as after any failure)", "joins: " + joins);
        var late = NewRoom();
        unanswered.SetResult(late);
        Expect(late, Count(late, "Leave") == 1 && network.Room == next, "the room that came late is left, not taken");
    }

    /// <summary>
    /// A resume whose request never ends counts as no answer after 15 s and is asked again 2 s later (the place still
    /// kept, not a join); the room it brings after all is left.
    /// </summary>
    private static void ResumeUnansweredTriedAgain()
    {
        var network = Network();
        var room = Join(network);
        room.ReceiveFirstState();
        var unanswered = new TaskCompletionSource<Room<WorldState>>();
        var next = NewRoom();
        var reconnects = 0;
        StandInServer.Reconnect = token => ++reconnects == 1 ? unanswered.Task : Task.FromResult(next);
        var joins = 0;
        StandInServer.JoinOrCreate = options => { joins++; return Task.FromResult(NewRoom()); };
        room.Left(1006); // a drop in the first 5 s, which the SDK does not resume
        StandInFrames.Play(1.1);
        Expect(reconnects == 1, "place asked back after 1 s", "reconnects: " + reconnects);
        StandInFrames.Play(14.7);
        Expect(reconnects == 1, "not asked again within 15 s", "reconnects: " + reconnects);
        StandInFrames.Play(2.5);
        Expect(reconnects == 2 && joins == 0 && network.Room == next, "asked again once 15 s passed without an answer (then 2 s), not joined", "reconnects: " + reconnects + ", joins: " + joins);
        var late = NewRoom();
        unanswered.SetResult(late);
        Expect(late, Count(late, "Leave") == 1 && network.Room == next, "the room that came late is left, not taken");
    }

    /// <summary>
    /// The lines sent, and a refused line while the player types another (it was lost: the box keeps what is typed, and
    /// the error says it waits a ↑ away), come back into the box with ↑, caret at the end, to whom each was said where it
    /// is still a choice; ↓ past the newest gives back the line being typed and its choice. Keys do nothing unfocused.
    /// </summary>
    private static void LinesRecalledWithArrows()
    {
        var ui = ChatUIInRoom();
        ui.speakTo = new Dropdown();
        ui.AddNpc("hans", "한스", false);
        ui.AddNpc("mina", "미나", false);
        Enter(ui, "안녕");
        Choose(ui, 1);
        Enter(ui, "한스 씨 안녕");
        Choose(ui, 2);
        ui.input.text = "미나야";
        var busy = new WorldError { code = "npc_busy", text = "한스 씨 안녕", npcId = "hans" };
        ((Room<WorldState>)ui.network.Room).Deliver("error", busy);
        Expect(ui.input.text == "미나야" && ui.speakTo.value == 2, "the line being typed kept, and its NPC", ui.input.text + " to " + ui.speakTo.value);
        Expect(ui.error.text == ErrorWords.For(busy, "한스") + " " + ErrorWords.RecallHint, "the error says where the refused line went", ui.error.text);
        var rushed = new WorldError { code = "rate_limited", text = "빨리", retryAfterMs = 800 };
        ((Room<WorldState>)ui.network.Room).Deliver("error", rushed);

        Press(ui, KeyCode.UpArrow);
        Expect(ui.input.text == "미나야", "no recall while the box is not focused", ui.input.text);
        ui.input.Focused = true;
        var walked = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            Press(ui, KeyCode.UpArrow);
            walked.Add(ui.input.text + ">" + ui.speakTo.value + "@" + ui.input.caretPosition);
        }
        // The rate_limited line does not say to whom: the choice stays; the busy line sent and refused is one line.
        Expect(string.Join(" | ", walked) == "빨리>2@2 | 한스 씨 안녕>1@7 | 안녕>0@2 | 안녕>0@2", "back through the lines, each to whom it was said", string.Join(" | ", walked));
        walked.Clear();
        for (var i = 0; i < 4; i++)
        {
            Press(ui, KeyCode.DownArrow);
            walked.Add(ui.input.text + ">" + ui.speakTo.value);
        }
        Expect(string.Join(" | ", walked) == "한스 씨 안녕>1 | 빨리>1 | 미나야>2 | 미나야>2", "forward to the line being typed and its NPC", string.Join(" | ", walked));
    }

    /// <summary>
    /// The chosen NPC given another id by an edit, its name kept (npc_changed, npcId: the NPC of that name now): the NPC of
    /// its name is chosen, as the browser chooses it, also where the line is not put back (the player typing another, a
    /// line calling the NPC itself, none given back), and whether the error comes after the state's patch or before it.
    /// The player's next line goes to it, not held as one to an NPC gone.
    /// </summary>
    private static void NpcChangedChosenAgain()
    {
        var ui = ChatUIInRoom();
        ui.speakTo = new Dropdown();
        var room = (Room<WorldState>)ui.network.Room;
        ui.AddNpc("kobot", "코봇", false);
        ui.AddNpc("hans", "한스", false);
        Choose(ui, 2);
        Func<string> shown = () => string.Join(" | ", ui.speakTo.options.ConvertAll(o => o.text)) + " @" + ui.speakTo.value;
        // After the patch: the question with the brain is told when its brain is done.
        ui.RemoveNpc("hans");
        ui.AddNpc("smith", "한스", false);
        ui.input.text = "뭐 팔아요?";
        room.Deliver("error", new WorldError { id = "E1", code = "npc_changed", text = "@한스 안녕", npcId = "smith", message = "changed" });
        Expect(shown() == "모두에게 | 코봇 | 한스 @2", "the NPC of its name chosen", shown());
        Expect(ui.input.text == "뭐 팔아요?", "the line being typed kept", ui.input.text);
        Enter(ui, "뭐 팔아요?");
        Expect(room, Count(room, "Send chat") == 1, "sent to it, not held as a line to an NPC gone");

        // Before the patch, no line given back (a blocked line's refusal): chosen once the state lists it.
        room.Deliver("error", new WorldError { id = "E2", code = "npc_changed", npcId = "baker", message = "changed" });
        ui.RemoveNpc("smith");
        ui.AddNpc("baker", "한스", false);
        Expect(shown() == "모두에게 | 코봇 | 한스 @2", "chosen once listed", shown());
        Enter(ui, "빵 있어요?");
        Expect(room, Count(room, "Send chat") == 2, "sent to it");
    }

    /// <summary>A frame of the chat UI with <paramref name="key"/> pressed.</summary>
    private static void Press(ChatUI ui, KeyCode key)
    {
        Input.Pressed = key;
        Message(ui, "LateUpdate");
        Input.Pressed = null;
    }

    /// <summary>The player chooses the dropdown's entry <paramref name="index"/> (the stand-in's onValueChanged calls no one).</summary>
    private static void Choose(ChatUI ui, int index)
    {
        ui.GetType().GetMethod("ShowChoices", BindingFlags.Instance | BindingFlags.NonPublic).Invoke(ui, new object[] { index });
    }

    /// <summary>A line of the room's chat reaches the script, as the state's callbacks give it.</summary>
    private static void Heard(KobotNetwork network, string id, string kind, string from, string text)
    {
        var line = new ChatLine { id = id, kind = kind, from = from, name = from, text = text };
        network.GetType().GetMethod("OnChatLine", BindingFlags.Instance | BindingFlags.NonPublic).Invoke(network, new object[] { line });
    }

    /// <summary>A chat UI whose network joined a room, and has its first state unless <paramref name="firstState"/> is false.</summary>
    private static ChatUI ChatUIInRoom(bool firstState = true)
    {
        var ui = ChatUIOutOfRoom();
        var room = Join(ui.network);
        if (firstState) room.ReceiveFirstState();
        return ui;
    }

    /// <summary>A chat UI whose network has not joined.</summary>
    private static ChatUI ChatUIOutOfRoom()
    {
        var ui = new ChatUI { input = new InputField(), error = new Text(), history = new Text(), status = new Text() };
        ui.network = new KobotNetwork { chatUI = ui };
        Message(ui, "Start");
        return ui;
    }

    /// <summary>Types <paramref name="text"/> into the box and presses Enter.</summary>
    private static void Enter(ChatUI ui, string text)
    {
        ui.input.text = text;
        Input.ReturnHeld = true;
        ui.GetType().GetMethod("Submit", BindingFlags.Instance | BindingFlags.NonPublic).Invoke(ui, new object[] { text });
        Input.ReturnHeld = false;
    }

    private static KobotNetwork Network()
    {
        return new KobotNetwork { chatUI = new ChatUI() };
    }

    /// <summary>Joins: the server's answer is a room that has not sent its state yet.</summary>
    private static Room<WorldState> Join(KobotNetwork network)
    {
        var room = NewRoom();
        StandInServer.JoinOrCreate = options =>
        {
            joinOptions = options;
            return Task.FromResult(room);
        };
        _ = network.Connect("민수"); // runs on as the stand-ins answer
        return room;
    }

    private static Room<WorldState> NewRoom()
    {
        return new Room<WorldState>
        {
            RoomId = "world-1",
            SessionId = "session-1",
            ReconnectionToken = new ReconnectionToken { RoomId = "world-1", Token = "token-1" },
        };
    }

    /// <summary>Sends a script a Unity message (OnDestroy) as the engine does: by name, private or not.</summary>
    private static void Message(object script, string name)
    {
        script.GetType().GetMethod(name, BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic).Invoke(script, null);
    }

    private static int Count(Room<WorldState> room, string call)
    {
        return room.Calls.FindAll(c => c == call).Count;
    }

    private static void Expect(Room<WorldState> room, bool ok, string what)
    {
        Expect(ok, what, "room: " + string.Join(", ", room.Calls));
    }

    private static void Expect(bool ok, string what, string seen)
    {
        if (ok) return;
        failures++;
        Console.WriteLine(what + " (" + seen + ")");
    }
}
