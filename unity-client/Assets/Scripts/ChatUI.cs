using System.Collections.Generic;
using Kobot.Schema;
using UnityEngine;
using UnityEngine.UI;

namespace Kobot
{
    /// <summary>
    /// Chat history, input box, connection status and server errors (uGUI). Lines starting with
    /// "@코봇" or "@kobot" go to the NPC; so does every line while "To NPC" is on.
    /// </summary>
    public class ChatUI : MonoBehaviour
    {
        public KobotNetwork network;
        public InputField input;
        public Toggle toNpc;
        public Text history;
        public Text status;
        public Text error;
        public int keepLines = 50;
        public float errorSeconds = 5f;

        private readonly Queue<string> lines = new Queue<string>();
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
            network.SendChat(text, toNpc != null && toNpc.isOn ? WorldProtocol.DefaultNpcId : null);
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
