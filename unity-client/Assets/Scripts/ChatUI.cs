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
        private readonly Dictionary<string, string> npcNames = new Dictionary<string, string>();
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
            npcNames[npcId] = name;
            if (speakTo == null) return;
            if (speakTo.options.Count == 0) speakTo.AddOptions(new List<Dropdown.OptionData> { new Dropdown.OptionData("모두에게") });
            speakTo.AddOptions(new List<Dropdown.OptionData> { new Dropdown.OptionData(name) });
            speakTo.RefreshShownValue();
        }

        /// <summary>
        /// A server error in Korean (ErrorWords); a refused line comes back into the input box, unless the player
        /// is typing another.
        /// </summary>
        public void ShowError(WorldError error)
        {
            string npcName = null;
            if (error.npcId != null) npcNames.TryGetValue(error.npcId, out npcName);
            if (!string.IsNullOrEmpty(error.text) && input.text.Length == 0) input.text = error.text;
            ShowError(ErrorWords.For(error, npcName));
        }

        public void ShowError(string message)
        {
            if (error == null) return;
            error.text = message;
            errorUntil = Time.time + errorSeconds;
        }

        private void Update()
        {
            if (error != null && error.text.Length > 0 && Time.time > errorUntil) error.text = "";
        }
    }
}
