using Colyseus.Schema;
using Kobot.Schema;
using UnityEngine;

namespace Kobot
{
    /// <summary>
    /// Another player's avatar. Positions arrive ~10 times a second; the avatar glides toward the
    /// latest one (exponential smoothing) so movement looks continuous between patches.
    /// </summary>
    public class RemoteAvatar : MonoBehaviour
    {
        public float smoothing = 12f;
        public TextMesh nameLabel;
        public Animator animator;
        /// <summary>Optional: shown while the player's connection is dropped (the server keeps its place 20 s).</summary>
        public GameObject awayMarker;

        private Vector3 target;
        private float targetRotY;

        public void Bind(StateCallbackStrategy<WorldState> callbacks, Player player)
        {
            // Where the avatar is, how it faces and moves now: a player who does not move sends no change, and
            // after a reconnection every avatar is built anew.
            Take(player);
            transform.position = target;
            transform.rotation = Quaternion.Euler(0f, targetRotY, 0f);
            // A name is the player's words: "<size=200>" would draw itself (TextMesh reads rich text).
            if (nameLabel != null) nameLabel.text = ChatUI.PlainText(player.name);
            callbacks.OnChange(player, () => Take(player));
        }

        private void Take(Player player)
        {
            target = player.Position();
            targetRotY = (float)player.rotY;
            if (animator != null) animator.SetBool("Walking", player.anim == "walk");
            if (awayMarker != null) awayMarker.SetActive(player.anim == "away");
        }

        private void Update()
        {
            var k = 1f - Mathf.Exp(-smoothing * Time.deltaTime);
            transform.position = Vector3.Lerp(transform.position, target, k);
            transform.rotation = Quaternion.Slerp(transform.rotation, Quaternion.Euler(0f, targetRotY, 0f), k);
        }
    }
}
