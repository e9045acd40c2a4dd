using Colyseus.Schema;
using Kobot.Schema;
using UnityEngine;

namespace Kobot
{
    /// <summary>
    /// An NPC: its name, a "…" typing indicator while it thinks, a speech bubble with its latest line
    /// for a few seconds, and a ring on the ground as wide as its talk radius (ask it from inside). It follows the
    /// NPC's place in the state (an NPC on a route walks; an edit of the world file moves it), gliding between
    /// patches as other players' avatars do.
    /// </summary>
    public class NpcView : MonoBehaviour
    {
        public TextMesh nameLabel;
        public GameObject typingIndicator;
        public GameObject speechBubble;
        public TextMesh speechText;
        /// <summary>A flat ring of diameter 1, scaled to the talk radius.</summary>
        public Transform talkRing;
        public float bubbleSeconds = 7f;
        public float smoothing = 12f;

        public string NpcId { get; private set; }
        /// <summary>The NPC as the state has it: where the server measures a player's distance from, not where the view glides.</summary>
        private Npc npc;
        private float bubbleUntil;
        private Vector3 target;
        private float targetRotY;

        public void Bind(StateCallbackStrategy<WorldState> callbacks, string npcId, Npc npc)
        {
            NpcId = npcId;
            this.npc = npc;
            ShowName(npc.name);
            transform.position = target = npc.Position();
            transform.rotation = Quaternion.Euler(0f, targetRotY = (float)npc.rotY, 0f);
            ShowRing(npc);
            callbacks.OnChange(npc, () =>
            {
                target = npc.Position();
                targetRotY = (float)npc.rotY; // toward the player it speaks to, or where it walks
                ShowRing(npc);
            });
            callbacks.Listen(npc, n => n.status, (status, previous) =>
            {
                if (typingIndicator != null) typingIndicator.SetActive(status == "thinking");
            });
        }

        /// <summary>Whether a player at <paramref name="position"/> may ask this NPC (farther, the server refuses it: too_far).</summary>
        public bool InReachOf(Vector3 position)
        {
            return NpcChoices.InReach(position.x - npc.x, position.y - npc.y, position.z - npc.z, npc.talkRadius);
        }

        private void ShowRing(Npc npc)
        {
            if (talkRing != null) talkRing.localScale = new Vector3(2f * (float)npc.talkRadius, 1f, 2f * (float)npc.talkRadius);
        }

        public void ShowName(string name)
        {
            if (nameLabel != null) nameLabel.text = name;
        }

        public void Say(string text)
        {
            // An NPC's line may say a player's name, the player's words: not read as rich text.
            if (speechText != null) speechText.text = ChatUI.PlainText(text);
            if (speechBubble != null) speechBubble.SetActive(true);
            bubbleUntil = Time.time + bubbleSeconds;
        }

        private void Update()
        {
            var k = 1f - Mathf.Exp(-smoothing * Time.deltaTime);
            transform.position = Vector3.Lerp(transform.position, target, k);
            transform.rotation = Quaternion.Slerp(transform.rotation, Quaternion.Euler(0f, targetRotY, 0f), k);
            if (speechBubble != null && speechBubble.activeSelf && Time.time > bubbleUntil) speechBubble.SetActive(false);
        }
    }
}
