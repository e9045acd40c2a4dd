using Colyseus.Schema;
using Kobot.Schema;
using UnityEngine;

namespace Kobot
{
    /// <summary>
    /// The NPC: its name, a "…" typing indicator while it thinks, and a speech bubble with its
    /// latest answer for a few seconds.
    /// </summary>
    public class NpcView : MonoBehaviour
    {
        public TextMesh nameLabel;
        public GameObject typingIndicator;
        public GameObject speechBubble;
        public TextMesh speechText;
        public float bubbleSeconds = 7f;

        public string NpcId { get; private set; }
        private float bubbleUntil;

        public void Bind(StateCallbackStrategy<WorldState> callbacks, string npcId, Npc npc)
        {
            NpcId = npcId;
            if (nameLabel != null) nameLabel.text = npc.name;
            callbacks.Listen(npc, n => n.status, (status, previous) =>
            {
                if (typingIndicator != null) typingIndicator.SetActive(status == "thinking");
            });
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
