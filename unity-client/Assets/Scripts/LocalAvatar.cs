using UnityEngine;

namespace Kobot
{
    /// <summary>
    /// The player's own avatar: moves with WASD/arrow keys at once (no waiting for the server) and
    /// sends its position WorldProtocol.MoveSendHz times a second while it moves.
    /// </summary>
    public class LocalAvatar : MonoBehaviour
    {
        /// <summary>Slightly under the server's top speed (8 units/s), so moves are never clamped.</summary>
        public float speed = 7f;
        public TextMesh nameLabel;

        private KobotNetwork network;
        private float lastSent;
        private bool moving;

        public void Init(KobotNetwork owner, string playerName)
        {
            network = owner;
            if (nameLabel != null) nameLabel.text = playerName;
        }

        private void Update()
        {
            var input = new Vector3(Input.GetAxisRaw("Horizontal"), 0f, Input.GetAxisRaw("Vertical"));
            if (input.sqrMagnitude < 0.01f)
            {
                if (moving) network.SendMove(transform.position, transform.eulerAngles.y, "idle");
                moving = false;
                return;
            }
            var direction = input.normalized;
            transform.position += direction * speed * Time.deltaTime;
            transform.rotation = Quaternion.LookRotation(direction);
            moving = true;
            if (Time.time - lastSent >= 1f / WorldProtocol.MoveSendHz)
            {
                lastSent = Time.time;
                network.SendMove(transform.position, transform.eulerAngles.y, "walk");
            }
        }
    }
}
