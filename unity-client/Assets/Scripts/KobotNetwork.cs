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
    /// only the lines this player hears: the chat shows exactly those.
    /// </summary>
    public class KobotNetwork : MonoBehaviour
    {
        [Header("Server")]
        public string serverUrl = "ws://localhost:2567";
        public string playerName = "Player";

        [Header("Scene")]
        public LocalAvatar localAvatarPrefab;
        public RemoteAvatar remoteAvatarPrefab;
        public NpcView npcPrefab;
        public ChatUI chatUI;

        public Room<WorldState> Room { get; private set; }

        private Client client;
        private readonly Dictionary<string, RemoteAvatar> remotes = new Dictionary<string, RemoteAvatar>();
        private readonly Dictionary<string, NpcView> npcs = new Dictionary<string, NpcView>();
        private LocalAvatar local;

        private async void Start()
        {
            await Connect();
        }

        public async Task Connect()
        {
            client = new Client(serverUrl);
            chatUI.ShowStatus("입장 중…");
            try
            {
                var options = new Dictionary<string, object> { { "name", playerName } };
                Room = await client.JoinOrCreate<WorldState>(WorldProtocol.WorldRoom, options);
            }
            catch (System.Exception error)
            {
                // A refused name, a full server or no server at all: say so, and let the player retry.
                chatUI.ShowError("could not join: " + error.Message);
                chatUI.ShowStatus("연결 끊김");
                return;
            }
            Bind(Room);
            chatUI.ShowStatus("접속 중");
        }

        private void Bind(Room<WorldState> room)
        {
            var callbacks = Callbacks.Get(room);
            callbacks.OnAdd(state => state.players, (sessionId, player) => SpawnPlayer(sessionId, player));
            callbacks.OnRemove(state => state.players, (sessionId, player) => DespawnPlayer(sessionId));
            callbacks.OnAdd(state => state.npcs, (npcId, npc) => SpawnNpc(npcId, npc));
            callbacks.OnAdd(state => state.chat, (index, line) => OnChatLine(line));

            room.OnMessage<WorldError>("error", error => chatUI.ShowError(error));
            // The SDK resumes a dropped connection by itself while the server keeps our place.
            room.OnDrop += code => chatUI.ShowStatus("다시 연결 중…");
            room.OnReconnect += () => chatUI.ShowStatus("접속 중");
            room.OnLeave += code => chatUI.ShowStatus("연결 끊김");
            room.OnError += (code, message) => chatUI.ShowError(message);
        }

        private void SpawnPlayer(string sessionId, Player player)
        {
            var position = player.Position();
            if (sessionId == Room.SessionId)
            {
                local = Instantiate(localAvatarPrefab, position, Quaternion.identity);
                local.Init(this, player.name);
                return;
            }
            var remote = Instantiate(remoteAvatarPrefab, position, Quaternion.identity);
            remote.Bind(Callbacks.Get(Room), player);
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

        private void SpawnNpc(string npcId, Npc npc)
        {
            var view = Instantiate(npcPrefab, npc.Position(), Quaternion.identity);
            view.Bind(Callbacks.Get(Room), npcId, npc);
            npcs[npcId] = view;
            chatUI.AddNpc(npcId, npc.name);
        }

        private void OnChatLine(ChatLine line)
        {
            chatUI.Append(line);
            NpcView npc;
            if (line.kind == "npc" && npcs.TryGetValue(line.from, out npc)) npc.Say(line.text);
        }

        public void SendMove(Vector3 position, float rotY, string anim)
        {
            if (Room == null) return;
            _ = Room.Send("move", new Dictionary<string, object>
            {
                { "x", position.x }, { "y", position.y }, { "z", position.z }, { "rotY", rotY }, { "anim", anim },
            });
        }

        /// <summary>Sends a chat line; to the NPC when <paramref name="toNpc"/> is its id.</summary>
        public void SendChat(string text, string toNpc)
        {
            if (Room == null) return;
            var message = new Dictionary<string, object> { { "text", text } };
            if (!string.IsNullOrEmpty(toNpc)) message["to"] = toNpc;
            _ = Room.Send("chat", message);
        }

        private async void OnApplicationQuit()
        {
            if (Room != null) await Room.Leave();
        }
    }

    /// <summary>The server's `error` message: see rooms/world-protocol.ts for the codes and fields.</summary>
    public class WorldError
    {
        public string code;
        /// <summary>English, for developers and logs; ErrorWords says it to the player.</summary>
        public string message;
        /// <summary>The line refused (too_far, rate_limited, unknown_npc, npc_busy), to offer it again.</summary>
        public string text;
        public string npcId;
        /// <summary>rate_limited: milliseconds until the player may ask again.</summary>
        public int retryAfterMs;
        /// <summary>too_far: metres to the NPC, and its talk radius (double: JavaScript numbers arrive as float64).</summary>
        public double distance;
        public double talkRadius;
    }
}
