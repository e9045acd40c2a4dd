using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Colyseus;
using Kobot;
using Kobot.Schema;

/// <summary>
/// Runs KobotNetwork's joining and reconnecting against the SDK stand-ins (test/unity-stubs), which record what the
/// script does to its room, for test/unity.client.test.ts: one case a run, named by the argument. Prints each failed
/// expectation with the room's calls; exits 1 if any.
/// </summary>
public static class NetworkCheck
{
    private static int failures;

    public static int Main(string[] args)
    {
        Console.OutputEncoding = new System.Text.UTF8Encoding(false);
        var cases = new Dictionary<string, Action>
        {
            { "first-state", FirstState },
            { "sdk-reconnect", SdkReconnect },
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

        room.ReceiveFirstState();
        Expect(room, Count(room, "Callbacks") == 1, "callbacks once the first state came");
        Expect(room, room.Calls.IndexOf("first state") < room.Calls.IndexOf("Callbacks"), "after it");
        Expect(room, Count(room, "OnAdd players") == 1 && Count(room, "OnAdd npcs") == 1 && Count(room, "OnAdd chat") == 1, "on players, NPCs and chat");
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

    private static KobotNetwork Network()
    {
        return new KobotNetwork { chatUI = new ChatUI() };
    }

    /// <summary>Joins: the server's answer is a room that has not sent its state yet.</summary>
    private static Room<WorldState> Join(KobotNetwork network)
    {
        var room = new Room<WorldState>
        {
            RoomId = "world-1",
            SessionId = "session-1",
            ReconnectionToken = new ReconnectionToken { RoomId = "world-1", Token = "token-1" },
        };
        StandInServer.JoinOrCreate = options => Task.FromResult(room);
        network.Connect("민수");
        return room;
    }

    private static int Count(Room<WorldState> room, string call)
    {
        return room.Calls.FindAll(c => c == call).Count;
    }

    private static void Expect(Room<WorldState> room, bool ok, string what)
    {
        if (ok) return;
        failures++;
        Console.WriteLine(what + " (room: " + string.Join(", ", room.Calls) + ")");
    }
}
