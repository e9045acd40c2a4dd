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
        /// <summary>Ids of the lines shown (a reconnection hands the room's history over again), oldest first.</summary>
        private readonly Queue<string> shownIds = new Queue<string>();
        private readonly HashSet<string> shown = new HashSet<string>();
        /// <summary>More than a room's history can hold (CHAT_HISTORY is at most 1000 lines).</summary>
        private const int RememberedIds = 1100;
        /// <summary>NPC ids in dropdown order, after "everyone".</summary>
        private readonly List<string> npcIds = new List<string>();
        /// <summary>Each NPC's name as the state has it now (error lines say it), and whether it talks in private.</summary>
        private readonly Dictionary<string, string> npcNames = new Dictionary<string, string>();
        private readonly HashSet<string> privateNpcs = new HashSet<string>();
        /// <summary>The NPC the player spoke to before the scene was rebuilt (a reconnection): chosen again as it comes back.</summary>
        private string keptChoice;
        private float errorUntil;

        /// <summary>The player is typing: keys are the chat box's, not the avatar's.</summary>
        public bool IsTyping { get { return input != null && input.isFocused; } }

        private void Start()
        {
            input.characterLimit = WorldProtocol.ChatMaxChars;
            input.onEndEdit.AddListener(Submit);
            // A new Dropdown comes with "Option A/B/C": the NPCs' places in it must be ours.
            if (speakTo != null) speakTo.ClearOptions();
        }

        private void Submit(string text)
        {
            // End of editing is also a click elsewhere (the NPC list): only Enter sends.
            if (!Input.GetKey(KeyCode.Return) && !Input.GetKey(KeyCode.KeypadEnter)) return;
            text = text.Trim();
            if (text.Length == 0) return;
            var chosen = speakTo != null && speakTo.value > 0 && speakTo.value <= npcIds.Count ? npcIds[speakTo.value - 1] : null;
            network.SendChat(text, chosen);
            input.text = "";
            input.ActivateInputField();
        }

        /// <summary>Adds a line to the history; false when it is there already (sent again after a reconnection).</summary>
        public bool Append(ChatLine line)
        {
            if (!string.IsNullOrEmpty(line.id))
            {
                if (!shown.Add(line.id)) return false;
                shownIds.Enqueue(line.id);
                while (shownIds.Count > RememberedIds) shown.Remove(shownIds.Dequeue());
            }
            var text = PlainText(line.text);
            lines.Enqueue(line.kind == "system" ? "<color=#829ab1>" + text + "</color>" : "<b>" + PlainText(line.name) + "</b>: " + text);
            while (lines.Count > keepLines) lines.Dequeue();
            history.text = string.Join("\n", lines.ToArray());
            return true;
        }

        /// <summary>
        /// Players' words as typed, not rich text: "&lt;size=300&gt;" would have drawn itself. A zero-width space after
        /// each "&lt;" keeps uGUI from reading a tag.
        /// </summary>
        public static string PlainText(string text)
        {
            return text.Replace("<", "<\u200B");
        }

        /// <summary>An NPC's entry in the dropdown says when it is thinking, as the browser's list does.</summary>
        public void ShowNpcStatus(string npcId, string npcStatus)
        {
            var index = npcIds.IndexOf(npcId);
            if (speakTo == null || index < 0 || index + 1 >= speakTo.options.Count) return;
            speakTo.options[index + 1].text = LabelOf(npcId) + (npcStatus == "thinking" ? " (생각 중…)" : "");
            speakTo.RefreshShownValue();
        }

        /// <summary>An NPC's entry: its name, and whether what the player says to it is heard by them alone.</summary>
        private string LabelOf(string npcId)
        {
            // An NPC that talks in private: what this player and it say, only this player hears (the browser says so too).
            return npcNames[npcId] + (privateNpcs.Contains(npcId) ? " (귓속말)" : "");
        }

        /// <summary>Forgets the room's NPCs (the scene is rebuilt from the room's state).</summary>
        public void ClearNpcs()
        {
            // The player's choice outlives the rebuild: reset to everyone, their next line to a private NPC went public.
            keptChoice = speakTo != null && speakTo.value > 0 && speakTo.value <= npcIds.Count ? npcIds[speakTo.value - 1] : null;
            npcIds.Clear();
            npcNames.Clear();
            privateNpcs.Clear();
            if (speakTo == null) return;
            speakTo.ClearOptions();
            speakTo.value = 0;
        }

        public void ShowStatus(string text)
        {
            if (status != null) status.text = text;
        }

        /// <summary>An NPC of the room becomes a choice in the dropdown.</summary>
        public void AddNpc(string npcId, string name, bool privateTalk)
        {
            npcIds.Add(npcId);
            npcNames[npcId] = name;
            if (privateTalk) privateNpcs.Add(npcId);
            if (speakTo == null) return;
            if (speakTo.options.Count == 0) speakTo.AddOptions(new List<Dropdown.OptionData> { new Dropdown.OptionData("모두에게") });
            speakTo.AddOptions(new List<Dropdown.OptionData> { new Dropdown.OptionData(LabelOf(npcId)) });
            if (npcId == keptChoice) speakTo.value = npcIds.Count;
            speakTo.RefreshShownValue();
        }

        /// <summary>An edit of the world file renamed the NPC or changed whether it talks in private: its entry says so.</summary>
        public void UpdateNpc(string npcId, string name, bool privateTalk)
        {
            var index = npcIds.IndexOf(npcId);
            if (index < 0) return;
            npcNames[npcId] = name;
            if (privateTalk) privateNpcs.Add(npcId);
            else privateNpcs.Remove(npcId);
            if (speakTo == null || index + 1 >= speakTo.options.Count) return;
            speakTo.options[index + 1].text = LabelOf(npcId);
            speakTo.RefreshShownValue();
        }

        /// <summary>An NPC removed from the world (an edit of its file) leaves the dropdown; a choice of it goes back to everyone.</summary>
        public void RemoveNpc(string npcId)
        {
            var index = npcIds.IndexOf(npcId);
            if (index < 0) return;
            npcIds.RemoveAt(index);
            if (speakTo == null || index + 1 >= speakTo.options.Count) return;
            if (speakTo.value == index + 1) speakTo.value = 0;
            else if (speakTo.value > index + 1) speakTo.value -= 1;
            speakTo.options.RemoveAt(index + 1);
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
