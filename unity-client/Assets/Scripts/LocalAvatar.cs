using UnityEngine;

namespace Kobot
{
    /// <summary>
    /// The player's own avatar: moves with WASD/arrow keys at once (no waiting for the server), inside the
    /// world's bounds, and sends its position WorldProtocol.MoveSendHz times a second while it moves. Standing,
    /// it is where the server has it.
    /// </summary>
    public class LocalAvatar : MonoBehaviour
    {
        /// <summary>Slightly under the server's top speed (8 units/s), so moves are never clamped.</summary>
        public float speed = 0.9f * WorldProtocol.MaxSpeed;
        public TextMesh nameLabel;
        /// <summary>Optional: a flat ring of diameter 1, scaled to the room's hearing radius (hidden when chat is room-wide).</summary>
        public Transform hearingRing;
        /// <summary>Optional: the same for the sight radius, beyond which players are not sent (hidden when all are in sight).</summary>
        public Transform sightRing;

        /// <summary>How long a stop waits for the server to have the avatar where it stopped, before taking the server's word.</summary>
        private const float EchoWaitSeconds = 1f;

        private KobotNetwork network;
        private float lastSent;
        private bool moving;
        private Vector3? serverPosition;
        /// <summary>Where the avatar stopped, and when, until the server has it there too.</summary>
        private Vector3? stoppedAt;
        private float stoppedTime;

        public void Init(KobotNetwork owner, string playerName, double hearingRadius, double sightRadius)
        {
            network = owner;
            if (nameLabel != null) nameLabel.text = ChatUI.PlainText(playerName);
            SetRanges(hearingRadius, sightRadius);
        }

        /// <summary>The rings at the room's radii now: an edit of the world file changes them while the room runs.</summary>
        public void SetRanges(double hearingRadius, double sightRadius)
        {
            // With a hearing range, only players inside it hear this player, and only they are heard.
            ShowRing(hearingRing, hearingRadius);
            // With a sight radius, players beyond it are despawned until they come back into it.
            ShowRing(sightRing, sightRadius);
        }

        private static void ShowRing(Transform ring, double radius)
        {
            if (ring == null) return;
            ring.gameObject.SetActive(radius > 0);
            ring.localScale = new Vector3(2f * (float)radius, 1f, 2f * (float)radius);
        }

        /// <summary>Where the server has this avatar (it clamps moves to the world and to a walking pace).</summary>
        public void ServerPosition(Vector3 position)
        {
            serverPosition = position;
        }

        private void Update()
        {
            // Keys typed into the chat box are its own.
            var typing = network.chatUI != null && network.chatUI.IsTyping;
            var input = typing ? new Vector3(0f, 0f, 0f) : new Vector3(Input.GetAxisRaw("Horizontal"), 0f, Input.GetAxisRaw("Vertical"));
            if (input.sqrMagnitude < 0.01f)
            {
                if (moving)
                {
                    network.SendMove(transform.position, transform.eulerAngles.y, "idle");
                    stoppedAt = transform.position;
                    stoppedTime = Time.time;
                }
                else if (serverPosition.HasValue && !AwaitingEcho()) transform.position = serverPosition.Value;
                moving = false;
                return;
            }
            stoppedAt = null;
            var direction = input.normalized;
            var next = transform.position + direction * speed * Time.deltaTime;
            next.x = Mathf.Clamp(next.x, WorldProtocol.MinX, WorldProtocol.MaxX);
            next.z = Mathf.Clamp(next.z, WorldProtocol.MinZ, WorldProtocol.MaxZ);
            // The server keeps the height inside its bounds too: an avatar above them would snap down when it stops.
            next.y = Mathf.Clamp(next.y, WorldProtocol.MinY, WorldProtocol.MaxY);
            transform.position = next;
            transform.rotation = Quaternion.LookRotation(direction);
            moving = true;
            if (Time.time - lastSent >= 1f / WorldProtocol.MoveSendHz)
            {
                lastSent = Time.time;
                network.SendMove(transform.position, transform.eulerAngles.y, "walk");
            }
        }

        /// <summary>
        /// Whether the server's position is still one from before the stop: the patches in flight (a round trip and a
        /// patch interval) put the avatar back up to a metre each time it stopped, then forward again. A position the
        /// server changed (clamped to the bounds or to a walking pace) is taken once the wait is over.
        /// </summary>
        private bool AwaitingEcho()
        {
            if (!stoppedAt.HasValue) return false;
            var offset = serverPosition.Value - stoppedAt.Value;
            if (offset.sqrMagnitude < 0.0001f || Time.time - stoppedTime >= EchoWaitSeconds) stoppedAt = null;
            return stoppedAt.HasValue;
        }
    }
}
