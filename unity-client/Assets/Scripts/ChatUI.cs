using System.Collections.Generic;
using Kobot.Schema;
using UnityEngine;
using UnityEngine.UI;

namespace Kobot
{
    /// <summary>
    /// Chat history (the lines this player hears), input box, whom to speak to, connection status and
    /// server errors (uGUI). Lines starting with "@" and an NPC's id or name go to that NPC; so does every
    /// line while that NPC is chosen in the dropdown (its first entry is "everyone").
    /// </summary>
    public class ChatUI : MonoBehaviour
    {
        public KobotNetwork network;
        public InputField input;
        public Dropdown speakTo;
        public Text history;
        public Text status;
        public Text error;
        public int keepLines = 50;
        public float errorSeconds = 5f;

        private readonly Queue<string> lines = new Queue<string>();
        /// <summary>NPC ids in dropdown order, after "everyone".</summary>
        private readonly List<string> npcIds = new List<string>();
        private float errorUntil;

        private void Start()
        {
            input.characterLimit = WorldProtocol.ChatMaxChars;
            input.onEndEdit.AddListener(Submit);
        }

        private void Submit(string text)
        {
            text = text.Trim();
            if (text.Length == 0) return;
            var chosen = speakTo != null && speakTo.value > 0 && speakTo.value <= npcIds.Count ? npcIds[speakTo.value - 1] : null;
            network.SendChat(text, chosen);
            input.text = "";
            input.ActivateInputField();
        }

        public void Append(ChatLine line)
        {
            var shown = line.kind == "system" ? "<color=#829ab1>" + line.text + "</color>" : "<b>" + line.name + "</b>: " + line.text;
            lines.Enqueue(shown);
            while (lines.Count > keepLines) lines.Dequeue();
            history.text = string.Join("\n", lines.ToArray());
        }

        public void ShowStatus(string text)
        {
            if (status != null) status.text = text;
        }

        /// <summary>An NPC of the room becomes a choice in the dropdown.</summary>
        public void AddNpc(string npcId, string name)
        {
            npcIds.Add(npcId);
            if (speakTo == null) return;
            if (speakTo.options.Count == 0) speakTo.AddOptions(new List<Dropdown.OptionData> { new Dropdown.OptionData("모두에게") });
            speakTo.AddOptions(new List<Dropdown.OptionData> { new Dropdown.OptionData(name) });
            speakTo.RefreshShownValue();
        }

        /// <summary>A server error, with a Korean word for the ones met in play (codes: WorldProtocol.ErrorCodes).</summary>
        public void ShowError(string code, string message)
        {
            string label;
            ShowError(ErrorLabels.TryGetValue(code, out label) ? label + ": " + message : message);
        }

        public void ShowError(string message)
        {
            if (error == null) return;
            error.text = message;
            errorUntil = Time.time + errorSeconds;
        }

        private static readonly Dictionary<string, string> ErrorLabels = new Dictionary<string, string>
        {
            { "too_far", "너무 멀어요" },
            { "rate_limited", "잠시만요" },
            { "npc_busy", "NPC가 바빠요" },
            { "npc_timeout", "대답이 늦어요" },
            { "moderated", "보낼 수 없는 말이에요" },
        };

        private void Update()
        {
            if (error != null && error.text.Length > 0 && Time.time > errorUntil) error.text = "";
        }
    }
}
