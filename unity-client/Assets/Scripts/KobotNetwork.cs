using System.Collections;
using System.Collections.Generic;
using System.Threading.Tasks;
using Colyseus;
using Colyseus.Schema;
using Kobot.Schema;
using UnityEngine;

namespace Kobot
{
    /// <summary>
    /// Connects to the Kobot world server, joins the `world` room and keeps the scene in step with
    /// its state: spawns an avatar per player and a view per NPC, feeds the chat UI. Put one in
    /// the scene, fill in the prefabs and the UI, press Play. With a hearing range the server sends
    /// only the lines this player hears: the chat shows exactly those. Talk with an NPC in private comes as
    /// <c>private_line</c> messages, shown among them.
    /// </summary>
    public class KobotNetwork : MonoBehaviour
    {
        [Header("Server")]
        public string serverUrl = "ws://localhost:2567";
        public string playerName = "Player";
        /// <summary>
        /// Joins as the scene starts. Off for a game that signs its players in first: set <see cref="AuthToken"/>
        /// once its login is done, then call <see cref="Connect(string)"/> (joined at Start, with the login still under
        /// way, a server with AUTH_SECRET refused the join and SignInRefused fired).
        /// </summary>
        public bool connectOnStart = true;

        [Header("Scene")]
        public LocalAvatar localAvatarPrefab;
        public RemoteAvatar remoteAvatarPrefab;
        public NpcView npcPrefab;
        public ChatUI chatUI;

        public Room<WorldState> Room { get; private set; }

        /// <summary>
        /// The game's sign-in token (a JWT from its login), for a server that takes only signed-in players
        /// (AUTH_SECRET or AUTH_PUBLIC_KEY_FILE): set it before <see cref="Connect(string)"/>. Not a serialized field,
        /// so that no token is saved in a scene.
        /// </summary>
        public string AuthToken { get; set; }

        /// <summary>
        /// The server refused the player's name (empty, too long, an NPC's, or a banned word), with why in Korean:
        /// ask for another and call <see cref="Connect(string)"/> with it. Other refusals are retried. Not raised for a
        /// signed-in player: see <see cref="AccountNameRefused"/>.
        /// </summary>
        public event System.Action<string> NameRefused;

        /// <summary>
        /// Signed in, the player is named after their account, not the name given to <see cref="Connect(string)"/>, and
        /// the server refused the account's name (HTTP 400), with why in Korean: a name asked here cannot help; the
        /// player changes it in the game, which signs them in again (a new <see cref="AuthToken"/>) before joining.
        /// </summary>
        public event System.Action<string> AccountNameRefused;

        /// <summary>
        /// The server takes only signed-in players, and <see cref="AuthToken"/> is missing, expired or not valid
        /// (HTTP 401), with why in Korean: sign in again, set the new token and call <see cref="Connect(string)"/>.
        /// </summary>
        public event System.Action<string> SignInRefused;

        /// <summary>
        /// This build's state classes are not the server's (HTTP 426: its schema changed since the build), with why in
        /// Korean: joining again cannot help until the game is updated. Nor can another name: it used to raise
        /// <see cref="NameRefused"/>, and a game that asked for one joined and was refused again, for good.
        /// </summary>
        public event System.Action<string> OutOfDate;

        /// <summary>
        /// A moderator banned the player's account (HTTP 403 on joining, or put out of the room with close code
        /// 4403), with why in Korean: joining again is refused until the ban ends, so it is not retried.
        /// </summary>
        public event System.Action<string> Banned;

        /// <summary>
        /// A moderator put the player out of the room (close code 4410), with why in Korean. Joining again is allowed:
        /// it is not done by itself; call <see cref="Connect(string)"/> when the player chooses to.
        /// </summary>
        public event System.Action<string> Kicked;

        /// <summary>
        /// The player's report of another (<see cref="Report(string, string)"/>) reached the moderators, with the
        /// reported player's name; the chat UI says so too.
        /// </summary>
        public event System.Action<string> Reported;

        /// <summary>
        /// An NPC answered this player with a line of its knowledge file that has an <c>action</c> (<c>"open_shop"</c>):
        /// do it here (open the shop, start the quest). It comes as the NPC's line arrives, once a line: the server sends
        /// a notice again after a drop it had not noticed (the connection died silently), and this passes that on once.
        /// </summary>
        public event System.Action<NpcActionNotice> NpcAction;

        private Client client;
        private readonly Dictionary<string, RemoteAvatar> remotes = new Dictionary<string, RemoteAvatar>();
        private readonly Dictionary<string, NpcView> npcs = new Dictionary<string, NpcView>();
        /// <summary>
        /// The messages acted on, by id (an <c>npc_action</c>'s line, an <c>error</c>), the newest 200: one sent again
        /// after a reconnection is not acted on twice.
        /// </summary>
        private readonly HashSet<string> actedOn = new HashSet<string>();
        private readonly Queue<string> actedOnInOrder = new Queue<string>();
        private LocalAvatar local;
        private bool leaving;
        /// <summary>
        /// The connection dropped and the SDK is resuming it: nothing is sent meanwhile. The SDK queues what is sent
        /// then, keeps the last 10, and 10 moves a second pushed a chat line out, after the box was cleared.
        /// </summary>
        private bool dropped;
        /// <summary>When (real time) the connection dropped, while <see cref="dropped"/>.</summary>
        private float droppedAt;
        /// <summary>Every session this client has had: a rejoin is a new one, and the player's earlier lines are still theirs.</summary>
        private readonly HashSet<string> mySessions = new HashSet<string>();
        /// <summary>Chat lines sent that the room has not yet shown or refused: those a dead socket took are sent again.</summary>
        private readonly UnconfirmedLines unconfirmed = new UnconfirmedLines();
        /// <summary>OnLeft is taking the room back: once in, the lines sent into the lost connection are sent again.</summary>
        private bool returning;
        /// <summary>Returns to the room, counted: the lines go 1 s after the latest, not once for each.</summary>
        private int returns;

        /// <summary>Back in the room, the wait before sending again what did not reach it: the room's lines and the errors it kept for the player come first.</summary>
        private const float SendAgainAfterSeconds = 1;

        /// <summary>How often the chat's list looks at which NPCs the player may ask: often enough to follow a walk, not every frame.</summary>
        private const float ReachLookSeconds = 0.25f;
        private float reachLookedAt = float.NegativeInfinity;

        private async void Start()
        {
            if (connectOnStart) await Connect(playerName);
        }

        /// <summary>Joins the world as <paramref name="name"/>; a full server or no server is retried until it works.</summary>
        public async Task Connect(string name)
        {
            playerName = name;
            if (client == null) client = new Client(serverUrl);
            // Sent as Authorization: Bearer with every join (in place of a token the SDK's own Auth cached, if any). Set
            // at each Connect, none included: the Client is kept, and a guest after a ban or a sign-out (AuthToken
            // cleared) still joined with the old account's token.
            client.Auth.Token = string.IsNullOrEmpty(AuthToken) ? null : AuthToken;
            for (var attempt = 0; !leaving; attempt++)
            {
                chatUI.ShowStatus("입장 중…");
                try
                {
                    // No name: the server gives one (손님-xxxx); an empty one it refuses.
                    // The state's shape our generated classes decode: a server with another refuses the join (426).
                    var options = new Dictionary<string, object> { { "schema", WorldProtocol.SchemaFingerprint } };
                    if (!string.IsNullOrWhiteSpace(playerName)) options["name"] = playerName;
                    Enter(await Answered(client.JoinOrCreate<WorldState>(WorldProtocol.WorldRoom, options)));
                    return;
                }
                catch (System.Exception error)
                {
                    chatUI.ShowStatus("연결 끊김");
                    Debug.Log("could not join: " + error.Message); // the server's own words, for developers
                    bool retry;
                    var code = JoinErrorCode(error);
                    // Signed in by a token that names the player: the account's name was refused (a token without a
                    // name takes the one given to Connect, which another can mend).
                    var signedIn = code == 400 && error.Message.StartsWith(WorldProtocol.AccountNameRefused, System.StringComparison.Ordinal);
                    var nameTaken = code == 400 && error.Message.StartsWith(WorldProtocol.NameTaken, System.StringComparison.Ordinal);
                    var words = ErrorWords.ForJoin(code, signedIn, nameTaken, out retry);
                    // Kept until the player is in a room: they went in 5 s, leaving "연결 끊김" and no why.
                    chatUI.ShowError(words, true);
                    if (!retry)
                    {
                        // 413: the join's options over 16 KiB, which only a name so long can make (a paste): another name.
                        var refused = code == 401 ? SignInRefused
                            : code == 403 || code == BannedClose ? Banned
                            : code == KickedClose ? Kicked
                            : code == 426 ? OutOfDate
                            : signedIn ? AccountNameRefused
                            : NameRefused;
                        if (refused != null) refused(words);
                        return;
                    }
                }
                if (leaving) return;
                await Wait(System.Math.Min(10, 1 << System.Math.Min(attempt, 4)));
            }
        }

        /// <summary>
        /// Waits on Unity's clock, in a coroutine: WebGL has no thread-pool timers, and a Task.Delay there never resumes.
        /// Real time, so that a paused game (timeScale 0) still joins again.
        /// </summary>
        private Task Wait(float seconds)
        {
            var waited = new TaskCompletionSource<bool>();
            StartCoroutine(Resume(waited, seconds));
            return waited.Task;
        }

        private static IEnumerator Resume(TaskCompletionSource<bool> waited, float seconds)
        {
            yield return new WaitForSecondsRealtime(seconds);
            waited.SetResult(true);
        }

        /// <summary>
        /// The room <paramref name="joining"/> brings, or a failure without a code (no answer, retried as such) after
        /// <see cref="WorldProtocol.JoinAnsweredSeconds"/> on Unity's clock; a room that comes later is left. The SDK sets
        /// no timeout on its UnityWebRequest (0.17.2 HTTP.Request; UnityHttpClient.Request since), and Unity's default, 0,
        /// waits for good.
        /// </summary>
        private async Task<Room<WorldState>> Answered(Task<Room<WorldState>> joining)
        {
            if (await Task.WhenAny(joining, Wait(WorldProtocol.JoinAnsweredSeconds)) == joining) return await joining;
            LeaveWhenItComes(joining);
            throw new System.TimeoutException("no answer within " + WorldProtocol.JoinAnsweredSeconds + " s");
        }

        /// <summary>A join or resume given up on that answers after all: its room is left, not a second avatar beside the next try's.</summary>
        private static async void LeaveWhenItComes(Task<Room<WorldState>> joining)
        {
            try
            {
                var room = await joining;
                if (room != null) await room.Leave();
            }
            catch (System.Exception)
            {
                // Refused after all: nothing to leave.
            }
        }

        /// <summary>The code a failed join carries: the room's (a refused name is 400), the HTTP status (429), 0 for none.</summary>
        private static int JoinErrorCode(System.Exception error)
        {
            var refused = error as MatchMakeException;
            if (refused != null) return refused.Code;
            var http = error as HttpException;
            return http != null ? http.StatusCode : 0;
        }

        /// <summary>
        /// Takes the room: heard from at once (leaving, drops, messages), put to the scene once its first state has come.
        /// Not awaited by <see cref="Connect(string)"/>: a room left before its state never sends one.
        /// </summary>
        private async void Enter(Room<WorldState> room)
        {
            if (leaving)
            {
                // Destroyed while joining: the room it brings is left, not played by nobody.
                _ = room.Leave();
                return;
            }
            Room = room;
            // As many of the SDK's retries as fit in the time the server keeps our place: its 15 went on for ~56 s at
            // the address of a server that had crashed before OnLeft joined another.
            room.Reconnection.MaxRetries = RetriesWithin(WorldProtocol.ReconnectSeconds * 1000, room.Reconnection);
            dropped = false;
            mySessions.Add(room.SessionId);
            chatUI.ShowInRoom(true);
            room.OnMessage<WorldError>("error", error =>
            {
                // One sent again after a reconnection comes with its id: taken again, a stale refusal took back a line
                // sent since with the same words, which was then never sent.
                if (!FirstTime(error.id)) return;
                unconfirmed.Refused(error);
                chatUI.ShowError(error);
            });
            room.OnMessage<ReportedNotice>("reported", notice =>
            {
                chatUI.ShowError(ChatUI.PlainText(notice.name) + " 님을 신고했어요. 운영자가 살펴볼 거예요.");
                if (Reported != null) Reported(notice.name);
            });
            room.OnMessage<SaidNotice>(WorldProtocol.Said, notice => unconfirmed.Said(notice));
            room.OnMessage<NpcActionNotice>("npc_action", notice =>
            {
                if (!FirstTime(notice.lineId)) return;
                if (NpcAction != null) NpcAction(notice);
            });
            // Talk with an NPC in private is never in the state's chat: each line comes to this player alone, shown as a
            // line of it (one held over a drop may come again: shown once).
            room.OnMessage<PrivateLineMessage>(WorldProtocol.PrivateLine, message => OnChatLine(message.ToChatLine()));
            // The SDK resumes a dropped connection by itself while the server keeps our place, with the same state and
            // callbacks (0.18 reconciles the room's state into the one it had): the scene follows as it is.
            room.OnDrop += code =>
            {
                if (room != Room) return;
                if (!dropped) droppedAt = Time.realtimeSinceStartup;
                dropped = true;
                // The box stays on, with its focus and text, as the browser's: turned off, uGUI let go of it mid-line and
                // the keys typed next walked the avatar. Enter meanwhile sends nothing and says the line waits (SendChat).
                chatUI.ShowStatus("다시 연결 중…");
            };
            room.OnReconnect += () =>
            {
                // Destroyed while dropped: a reconnection already under way brought back a player nobody plays.
                if (leaving)
                {
                    _ = room.Leave();
                    return;
                }
                if (room != Room) return;
                dropped = false;
                chatUI.ShowInRoom(true);
                chatUI.ShowStatus("접속 중");
                SendAgainLater(room);
            };
            room.OnLeave += code => OnLeft(room, code);
            room.OnError += (code, message) => Debug.LogError("room error " + code + ": " + message);
            StartCoroutine(WatchSilence(room));
            // A joined room's state is empty placeholders until the first full state replaces them; callbacks put on
            // them never fire (the SDK binds them to the root), and no player, NPC or line ever showed.
            await room.WaitForFirstState();
            if (leaving || room != Room) return; // left before its state came
            Rebuild(room);
            chatUI.ShowStatus("접속 중");
            if (!returning) return;
            returning = false;
            SendAgainLater(room);
        }

        /// <summary>
        /// Looks once a second whether the room's connection has gone silent (<see cref="SilenceWatch"/>), and then drops
        /// it; ends when the room is no longer this script's.
        /// </summary>
        private IEnumerator WatchSilence(Room<WorldState> room)
        {
            var watch = new SilenceWatch(WorldProtocol.SilenceNoticedSeconds, WorldProtocol.OpeningGivenUpSeconds, Time.realtimeSinceStartup);
            // The server's clock comes in the state at least once a second: every patch is word from it, as is its
            // answer to the SDK's reconnection (the silence counts from the new socket).
            room.OnStateChange += (state, isFirstState) => watch.Heard(Time.realtimeSinceStartup);
            room.OnReconnect += () => watch.Heard(Time.realtimeSinceStartup);
            while (true)
            {
                yield return new WaitForSecondsRealtime(1);
                if (leaving || room != Room) yield break;
                var open = room.Connection != null && room.Connection.IsOpen;
                if (watch.TooLong(open, Time.realtimeSinceStartup)) DropSilent(room);
                var opening = room.Connection != null && room.Connection.State == NativeWebSocket.WebSocketState.Connecting;
                if (watch.OpeningTooLong(opening, room.Reconnection.RetryCount, Time.realtimeSinceStartup)) DropOpening(room);
            }
        }

        /// <summary>
        /// The SDK's try has been opening its socket for OpeningGivenUpSeconds: it is closed, which the SDK counts as a
        /// failed try, and its next goes on a new socket.
        /// </summary>
        private void DropOpening(Room<WorldState> room)
        {
            Debug.Log("the connection has not opened in " + WorldProtocol.OpeningGivenUpSeconds + " s: trying again on a new socket");
            room.Connection.Drop();
            // WebGL: Drop() closes only an open socket; closing the browser's opening one fails it with 1006 all the
            // same. Elsewhere Close() leaves a socket not open be.
            if (room.Connection.State == NativeWebSocket.WebSocketState.Connecting) _ = room.Connection.Close();
        }

        /// <summary>
        /// Nothing from the server for SilenceNoticedSeconds on an open connection: its socket is taken for dead and let
        /// go, and the room resumed on a new one as after any drop. Lines sent into it are sent again once back.
        /// </summary>
        private void DropSilent(Room<WorldState> room)
        {
            Debug.Log("nothing from the server for " + WorldProtocol.SilenceNoticedSeconds + " s: resuming the connection");
            try
            {
                // Cancels the socket: the SDK sees it closed (1006) at once, not after a closing handshake that a dead
                // network never finishes, and resumes the room on a new socket with its own retries.
                room.Connection.Drop();
            }
            catch (System.Exception error)
            {
                // WebGL: the SDK closes the browser's socket with 1006 there, which a browser refuses to send. Taken back
                // by the token as after a leave; the old socket closes when it may, and is not heard.
                Debug.Log("could not drop the connection: " + error.Message);
                room.Reconnection.Enabled = false;
                _ = room.Leave(false);
                OnLeft(room, (int)CloseCode.MAY_TRY_RECONNECT);
            }
        }

        /// <summary>
        /// Back in the room after a drop: the lines it has not shown or refused 1 s later went out on a socket that had
        /// died unnoticed (nothing heard for SilenceNoticedSeconds before it was dropped) and are sent again.
        /// </summary>
        private void SendAgainLater(Room<WorldState> room)
        {
            StartCoroutine(SendAgain(room, ++returns));
        }

        private IEnumerator SendAgain(Room<WorldState> room, int back)
        {
            yield return new WaitForSecondsRealtime(SendAgainAfterSeconds);
            // Dropped again meanwhile, or back again since: the latest return sends them.
            if (back != returns || leaving || room != Room || dropped) yield break;
            // Still unconfirmed after this sending, as first sent: SendAgainWithinSeconds counts from the player's Enter.
            var unsent = unconfirmed.UnsentWithin(WorldProtocol.SendAgainWithinSeconds, Time.realtimeSinceStartup);
            foreach (var message in unsent) _ = Room.Send("chat", message);
            if (unsent.Count > 0) chatUI.ShowError(ErrorWords.SentAgain(unsent.Count));
        }

        /// <summary>How many of the SDK's retries, at its delays (retry n waits its backoff of n, within its bounds), fit in <paramref name="ms"/>.</summary>
        public static int RetriesWithin(int ms, ReconnectionOptions reconnection)
        {
            var waited = 0;
            var retries = 0;
            for (; retries < 100; retries++)
            {
                waited += System.Math.Min(reconnection.MaxDelay, System.Math.Max(reconnection.MinDelay, reconnection.Backoff(retries + 1, reconnection.Delay)));
                if (waited > ms) break;
            }
            return System.Math.Max(1, retries);
        }

        /// <summary>
        /// A leave the player did not ask for (a drop in the first 5 s, which the SDK does not resume; a server
        /// restarting; reconnection given up): back into our place while the room holds it, else join again.
        /// </summary>
        private async void OnLeft(Room<WorldState> room, int code)
        {
            // A room let go already (its silent connection, on WebGL) closes late, the player back in another by then.
            if (room != Room) return;
            chatUI.ShowStatus("연결 끊김");
            // Ours only when leaving: the server closes with 4000 (consented) too, as a room is disposed, and the scene
            // stood frozen, "in" a room that queued every line.
            if (leaving) return;
            LeaveScene();
            if (code == BannedClose || code == KickedClose)
            {
                PutOut(code);
                return;
            }
            if (code == MessageTooBigClose)
            {
                // A message past the server's cap: said, not left to look like a dropped connection; joined again below.
                // One of the lines unconfirmed was it, and sent again on the return it closed the next socket too: none
                // goes again by itself (each is a ↑ away in the box, as every line sent is).
                unconfirmed.Clear();
                bool retry;
                chatUI.ShowError(ErrorWords.ForJoin(code, false, out retry), true);
            }
            // The room keeps our place ReconnectSeconds from when the server notices the drop, which can be later.
            var keptUntil = (dropped ? droppedAt : Time.realtimeSinceStartup) + WorldProtocol.ReconnectSeconds + WorldProtocol.DropNoticedSeconds;
            returning = true;
            await Wait(1);
            while (!leaving)
            {
                chatUI.ShowStatus("다시 연결 중…");
                try
                {
                    Enter(await Answered(client.Reconnect<WorldState>(room.ReconnectionToken)));
                    return;
                }
                catch (System.Exception error)
                {
                    // Put out or banned while away: the room says so as the place is taken back. Joining again here
                    // undid the moderator's kick, and the player never saw it.
                    var refused = JoinErrorCode(error);
                    if (refused == BannedClose || refused == KickedClose)
                    {
                        PutOut(refused);
                        return;
                    }
                    // No answer at all (the network still down): our place may be kept a while yet, and a join once it
                    // is back stood a second avatar of the player beside it. Any answer (the place gone): join again.
                    if (refused != 0 || Time.realtimeSinceStartup >= keptUntil)
                    {
                        await Connect(playerName);
                        return;
                    }
                }
                await Wait(2);
            }
        }

        /// <summary>
        /// Out of the room (put out, banned, or its connection lost until taken back): its avatars and NPCs leave the
        /// scene, and nothing is said, until in a room again. They stayed, standing as if live.
        /// </summary>
        private void LeaveScene()
        {
            Room = null;
            ClearScene();
            chatUI.ShowInRoom(false);
        }

        /// <summary>A moderator banned the player's account or put them out: said, and not joined again.</summary>
        private void PutOut(int code)
        {
            returning = false;
            bool retry;
            var words = ErrorWords.ForJoin(code, false, out retry);
            chatUI.ShowError(words, true); // until the player is in a room again, as the browser's
            var putOut = code == BannedClose ? Banned : Kicked;
            if (putOut != null) putOut(words);
        }

        /// <summary>The close code of a player put out because a moderator banned their account (BANNED_CLOSE).</summary>
        private const int BannedClose = 4403;

        /// <summary>The close code of a player a moderator put out of the room (KICKED_CLOSE).</summary>
        private const int KickedClose = 4410;

        /// <summary>The close code of a socket that sent a message past the server's cap (MESSAGE_TOO_BIG_CLOSE): no place kept.</summary>
        private const int MessageTooBigClose = 1009;

        private void Rebuild(Room<WorldState> room)
        {
            ClearScene();
            var callbacks = Callbacks.Get(room);
            callbacks.OnAdd(state => state.players, (sessionId, player) => SpawnPlayer(callbacks, sessionId, player));
            callbacks.OnRemove(state => state.players, (sessionId, player) => DespawnPlayer(sessionId));
            callbacks.OnAdd(state => state.npcs, (npcId, npc) => SpawnNpc(callbacks, npcId, npc));
            callbacks.OnRemove(state => state.npcs, (npcId, npc) => DespawnNpc(npcId));
            callbacks.OnAdd(state => state.chat, (index, line) => OnChatLine(line));
            // An edit of the world file changes the radii while the room runs: the rings follow (read once, they kept
            // the old size until the player joined again).
            callbacks.Listen(state => state.hearingRadius, (radius, previous) => ShowRanges());
            callbacks.Listen(state => state.sightRadius, (radius, previous) => ShowRanges());
        }

        private void Update()
        {
            if (local == null || Time.realtimeSinceStartup - reachLookedAt < ReachLookSeconds) return;
            reachLookedAt = Time.realtimeSinceStartup;
            ShowReach(local.transform.position);
        }

        /// <summary>
        /// The NPCs within their talk radius of the player's avatar go first in the chat's list: with many in the world,
        /// the one in front of the player is not found by scrolling past all the others.
        /// </summary>
        private void ShowReach(Vector3 avatar)
        {
            var inReach = new List<string>();
            foreach (var npc in npcs) if (npc.Value.InReachOf(avatar)) inReach.Add(npc.Key);
            chatUI.ShowReach(inReach);
        }

        private void ShowRanges()
        {
            if (local != null) local.SetRanges(Room.State.hearingRadius, Room.State.sightRadius);
        }

        private void ClearScene()
        {
            if (local != null) Destroy(local.gameObject);
            local = null;
            foreach (var remote in remotes.Values) Destroy(remote.gameObject);
            remotes.Clear();
            foreach (var npc in npcs.Values) Destroy(npc.gameObject);
            npcs.Clear();
            chatUI.ClearNpcs();
        }

        // Spawns are idempotent: a state handed over again (after a reconnection) spawns nobody twice.
        private void SpawnPlayer(StateCallbackStrategy<WorldState> callbacks, string sessionId, Player player)
        {
            var position = player.Position();
            if (sessionId == Room.SessionId)
            {
                if (local != null) return;
                local = Instantiate(localAvatarPrefab, position, Quaternion.identity);
                local.Init(this, player.name, Room.State.hearingRadius, Room.State.sightRadius);
                var me = local;
                // The server keeps avatars inside the world at a walking pace: its word counts once we stop.
                callbacks.OnChange(player, () => { if (me != null) me.ServerPosition(player.Position()); });
                return;
            }
            // Our own earlier avatar (a session before we joined again), kept 20 s for a reconnection that will not
            // come, is not another player standing there.
            if (remotes.ContainsKey(sessionId) || mySessions.Contains(sessionId)) return;
            var remote = Instantiate(remoteAvatarPrefab, position, Quaternion.identity);
            remote.Bind(callbacks, player);
            remotes[sessionId] = remote;
        }

        private void DespawnPlayer(string sessionId)
        {
            RemoteAvatar remote;
            if (remotes.TryGetValue(sessionId, out remote))
            {
                Destroy(remote.gameObject);
                remotes.Remove(sessionId);
            }
        }

        private void SpawnNpc(StateCallbackStrategy<WorldState> callbacks, string npcId, Npc npc)
        {
            if (npcs.ContainsKey(npcId)) return;
            var view = Instantiate(npcPrefab, npc.Position(), Quaternion.identity);
            view.Bind(callbacks, npcId, npc);
            npcs[npcId] = view;
            chatUI.AddNpc(npcId, npc.name, npc.privateTalk);
            callbacks.Listen(npc, n => n.status, (status, previous) => chatUI.ShowNpcStatus(npcId, status));
            // An edit of the world file while the room runs: the player sees the new name, and whether others hear them.
            callbacks.Listen(npc, n => n.name, (name, previous) =>
            {
                view.ShowName(name);
                chatUI.UpdateNpc(npcId, name, npc.privateTalk);
            });
            callbacks.Listen(npc, n => n.privateTalk, (privateTalk, previous) => chatUI.UpdateNpc(npcId, npc.name, privateTalk));
        }

        /// <summary>An NPC removed from the world file while the room runs leaves the scene.</summary>
        private void DespawnNpc(string npcId)
        {
            NpcView view;
            if (!npcs.TryGetValue(npcId, out view)) return;
            Destroy(view.gameObject);
            npcs.Remove(npcId);
            chatUI.RemoveNpc(npcId);
        }

        /// <summary>A line heard: of the state's chat, or a <c>private_line</c> (the player's own private question comes back so).</summary>
        private void OnChatLine(ChatLine line)
        {
            if (!chatUI.Append(line)) return; // shown before a reconnection
            unconfirmed.Heard(line, IsMine(line.from));
            NpcView npc;
            // Lines from before we came (the room's history) go to the chat only, not over the NPC's head. The state is
            // read only with the NPC in the scene: a private line can come before the first state.
            if (line.kind == "npc" && npcs.TryGetValue(line.from, out npc) && Room.State.serverTime - line.ts < npc.bubbleSeconds * 1000) npc.Say(line.text);
        }

        public void SendMove(Vector3 position, float rotY, string anim)
        {
            if (Room == null || dropped) return; // dropped, the server has the avatar away anyway
            _ = Room.Send("move", new Dictionary<string, object>
            {
                { "x", position.x }, { "y", position.y }, { "z", position.z }, { "rotY", rotY }, { "anim", anim },
            });
        }

        /// <summary>Sends a chat line; to the NPC when <paramref name="toNpc"/> is its id. False when not in a room, or dropped.</summary>
        public bool SendChat(string text, string toNpc)
        {
            if (Room == null || dropped) return false;
            // Sent again with it after a drop: the room answers the id as before, and says the line once.
            var message = new Dictionary<string, object> { { "text", text }, { "sendId", System.Guid.NewGuid().ToString("N") } };
            if (!string.IsNullOrEmpty(toNpc)) message["to"] = toNpc;
            SendChat(message);
            return true;
        }

        /// <summary>Sends a <c>chat</c> message, kept until the room shows or refuses it.</summary>
        private void SendChat(Dictionary<string, object> message)
        {
            _ = Room.Send("chat", message);
            unconfirmed.Sent(message, Time.realtimeSinceStartup);
        }

        /// <summary>
        /// Whether <paramref name="sessionId"/> (a line's <c>ChatLine.from</c>, an avatar's key) is this player's, now or
        /// in an earlier session of this client (before a rejoin): a game's report menu offers nothing on these.
        /// </summary>
        public bool IsMine(string sessionId)
        {
            return sessionId != null && mySessions.Contains(sessionId);
        }

        /// <summary>
        /// Reports another player to the moderators (the server files it with their last lines in the room): give the
        /// session id of their avatar (a key of state.players) or of their line (<c>ChatLine.from</c>), from the game's
        /// own menu on an avatar or a line; a reason past WorldProtocol.ReportReasonMaxChars is cut to fit. Refusals come
        /// as errors (unknown_player, report_limited). The player's own sessions (<see cref="IsMine(string)"/>) are not
        /// reported: an earlier one's avatar may still stand in the room.
        /// </summary>
        public void Report(string playerSessionId, string reason = null)
        {
            if (Room == null || IsMine(playerSessionId)) return;
            _ = Room.Send("report", ReportMessage(playerSessionId, reason));
        }

        /// <summary>
        /// The <c>report</c> message <see cref="Report(string, string)"/> sends: a reason past
        /// WorldProtocol.ReportReasonMaxChars, which the server refuses (report_reason_too_long) and the report with it,
        /// is cut to fit, with "…" (a game's own form may let more be typed).
        /// </summary>
        public static Dictionary<string, object> ReportMessage(string playerSessionId, string reason)
        {
            var message = new Dictionary<string, object> { { "player", playerSessionId } };
            if (!string.IsNullOrEmpty(reason)) message["reason"] = TextWithin.Cut(reason, WorldProtocol.ReportReasonMaxChars);
            return message;
        }

        // Leaving at once frees our avatar; without it others saw it stand there 20 s, waiting for a reconnection.
        private async void OnDestroy()
        {
            leaving = true;
            if (Room == null) return;
            // Dropped, Leave() has no connection to close, and the SDK's reconnection would bring the player back.
            Room.Reconnection.Enabled = false;
            await Room.Leave();
        }

        /// <summary>Whether the message of this id (an action's line, an error) comes for the first time (kept: the newest 200).</summary>
        private bool FirstTime(string id)
        {
            if (id == null) return true; // a server before session 67 sent errors without one
            if (!actedOn.Add(id)) return false;
            actedOnInOrder.Enqueue(id);
            if (actedOnInOrder.Count > 200) actedOn.Remove(actedOnInOrder.Dequeue());
            return true;
        }
    }

    /// <summary>The server's `error` message: see rooms/world-protocol.ts for the codes and fields.</summary>
    public class WorldError
    {
        /// <summary>The error's own id: one sent again after a reconnection comes with the same, and is acted on once.</summary>
        public string id;
        /// <summary>The <c>sendId</c> of the chat message it refuses, when it had one: its line, exactly (UnconfirmedLines).</summary>
        public string sendId;
        public string code;
        /// <summary>English, for developers and logs; ErrorWords says it to the player.</summary>
        public string message;
        /// <summary>
        /// The line refused (too_far, rate_limited, muted, unknown_npc, npc_changed, npc_busy, server_closing; npc_unavailable when
        /// the room failed to give the answer), to offer it again.
        /// </summary>
        public string text;
        /// <summary>too_far, npc_busy, server_closing, npc_timeout, npc_unavailable; unknown_npc when the NPC left the world; npc_changed: the NPC of its name now.</summary>
        public string npcId;
        /// <summary>rate_limited, muted, report_limited: milliseconds until the player may ask (chat, report) again.</summary>
        public int retryAfterMs;
        /// <summary>rate_limited: the players of this player's address said too many lines between them.</summary>
        public bool byAddress;
        /// <summary>too_far: metres to the NPC, and its talk radius (double: JavaScript numbers arrive as float64).</summary>
        public double distance;
        public double talkRadius;
    }

    /// <summary>The server's `reported` message: a report of the player <see cref="player"/> was filed.</summary>
    public class ReportedNotice
    {
        public string player;
        public string name;
    }

    /// <summary>
    /// The server's `private_line` message: a line of this player's talk with an NPC in private (their question or call
    /// to it, its reply), which the state's chat never holds; the fields of a state <see cref="ChatLine"/>.
    /// </summary>
    public class PrivateLineMessage
    {
        public string id;
        public string kind;
        public string from;
        public string name;
        public string text;
        /// <summary>The server's clock when said, in ms (double: JavaScript numbers arrive as float64).</summary>
        public double ts;
        /// <summary>The question this line answers; "" when none, as in the state.</summary>
        public string replyTo;

        /// <summary>As the state's line, for the chat, the NPC's bubble and the unconfirmed lines to take as any line heard.</summary>
        public ChatLine ToChatLine()
        {
            return new ChatLine { id = id, kind = kind, from = from, name = name, text = text, ts = ts, replyTo = replyTo };
        }
    }

    /// <summary>
    /// The room's <c>said</c>: the chat message with this <c>sendId</c> reached it as its line <c>lineId</c> (in the chat,
    /// or a private_line). Comes again after a drop, and to a line sent again: the line is said once.
    /// </summary>
    public class SaidNotice
    {
        public string sendId;
        public string lineId;
    }

    /// <summary>
    /// The server's `npc_action` message: the NPC <see cref="npcId"/> said its line <see cref="lineId"/> (in answer to
    /// this player's <see cref="replyTo"/>), and the game does <see cref="action"/>, an id from the NPC's knowledge file.
    /// </summary>
    public class NpcActionNotice
    {
        public string npcId;
        public string action;
        public string lineId;
        public string replyTo;
        /// <summary>With ACTION_SECRET on the server: the action signed (a JWT). Hand it to the game's backend, which
        /// checks it before granting anything; null otherwise.</summary>
        public string receipt;
    }
}
