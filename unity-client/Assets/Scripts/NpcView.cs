using Colyseus.Schema;
using Kobot.Schema;
using UnityEngine;

namespace Kobot
{
    /// <summary>
    /// An NPC: its name, a "…" typing indicator while it thinks, a speech bubble with its latest line
    /// for a few seconds, and a ring on the ground as wide as its talk radius (ask it from inside); it follows the
    /// NPC's place and radius in the state.
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

        public string NpcId { get; private set; }
        private float bubbleUntil;

        public void Bind(StateCallbackStrategy<WorldState> callbacks, string npcId, Npc npc)
        {
            NpcId = npcId;
            if (nameLabel != null) nameLabel.text = npc.name;
            ShowPlace(npc);
            // A studio may move an NPC or change its radius while the server runs (the world file is reloaded).
            callbacks.OnChange(npc, () => ShowPlace(npc));
            callbacks.Listen(npc, n => n.status, (status, previous) =>
            {
                if (typingIndicator != null) typingIndicator.SetActive(status == "thinking");
            });
        }

        private void ShowPlace(Npc npc)
        {
            transform.position = npc.Position();
            if (talkRing != null) talkRing.localScale = new Vector3(2f * (float)npc.talkRadius, 1f, 2f * (float)npc.talkRadius);
        }

        public void Say(string text)
        {
            if (speechText != null) speechText.text = text;
            if (speechBubble != null) speechBubble.SetActive(true);
            bubbleUntil = Time.time + bubbleSeconds;
        }

        private void Update()
        {
            if (speechBubble != null && speechBubble.activeSelf && Time.time > bubbleUntil) speechBubble.SetActive(false);
        }
    }
}
