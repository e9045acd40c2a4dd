using System.Collections.Generic;
using Kobot.Schema;
using UnityEngine;
using UnityEngine.UI;

namespace Kobot
{
    /// <summary>
    /// Chat history (the lines this player hears), input box, whom to speak to, connection status and
    /// server errors (uGUI; the error text shows the newest words and the two before them, <see cref="ChatNotices"/>).
    /// Lines starting with "@" and an NPC's id or name go to that NPC; so does every line while that NPC is chosen in the dropdown (its first entry is "everyone"). ↑ and ↓ in the box call back the
    /// player's recent lines (<see cref="LineRecall"/>).
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
        /// <summary>Whom the next line goes to, and the dropdown's entries.</summary>
        private readonly NpcChoices choices = new NpcChoices();
        /// <summary>The player's recent lines, called back into the box with ↑ and ↓.</summary>
        private readonly LineRecall recall = new LineRecall();
        /// <summary>What the error text shows: the newest words and the two before them, each for its errorSeconds.</summary>
        private readonly ChatNotices notices = new ChatNotices();

        /// <summary>The player is typing: keys are the chat box's, not the avatar's.</summary>
        public bool IsTyping { get { return input != null && input.isFocused; } }

        private void Start()
        {
            // No limit on the box: uGUI counts UTF-16 units (100 emoji were its 200), and one cut in half at the end
            // made the whole line fail to send, unseen. Submit counts as the server does.
            input.characterLimit = 0;
            input.onEndEdit.AddListener(Submit);
            // A new Dropdown comes with "Option A/B/C": the NPCs' places in it must be ours.
            if (speakTo != null)
            {
                speakTo.ClearOptions();
                speakTo.onValueChanged.AddListener(index => ShowChoices(index));
            }
        }

        private void Submit(string text)
        {
            // End of editing is also a click elsewhere (the NPC list): only Enter sends, or a phone keyboard's Done,
            // which holds no Return key (read by Input.GetKey alone, chat could not be sent from a phone).
            if (!Input.GetKey(KeyCode.Return) && !Input.GetKey(KeyCode.KeypadEnter) && !DoneOnScreenKeyboard()) return;
            text = TextWithin.WholeCharacters(text.Trim());
            if (text.Length == 0) return;
            var said = TextWithin.Cleaned(text);
            if (TextWithin.Characters(said) > WorldProtocol.ChatMaxChars)
            {
                // Said, and left in the box to shorten: the server would refuse it (chat_too_long) all the same.
                ShowError(ErrorWords.For(new WorldError { code = "chat_too_long" }, null));
                return;
            }
            // Not to everyone instead: a line meant for an NPC, in private perhaps, would be said to the whole room.
            if (choices.ChosenGone)
            {
                ShowError(ErrorWords.NpcGone(choices.ChosenName));
                return;
            }
            // Sent as measured, cleaned (the server cleans it anyway): "hi" + 9000 ideographic spaces + "there" is 8
            // characters here but 27 KB raw, past the server's frame cap, which closed the socket (1009) at each sending.
            if (!network.SendChat(said, choices.Chosen))
            {
                // Out of the room, or dropped and being taken back: the line stays in the box, and the player is told.
                ShowError(ErrorWords.WaitingToSend);
                return;
            }
            recall.Add(new RecalledLine(text, choices.Chosen ?? ""));
            input.text = "";
            input.ActivateInputField();
        }

        private bool DoneOnScreenKeyboard()
        {
            return TouchScreenKeyboard.isSupported && input.touchScreenKeyboard != null && input.touchScreenKeyboard.status == TouchScreenKeyboard.Status.Done;
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
            choices.SetThinking(npcId, npcStatus == "thinking");
            ShowChoices();
        }

        /// <summary>
        /// The NPCs the player may ask from where they stand: first in the dropdown. It is rebuilt only when one comes into
        /// reach or leaves it, and not while its list is open: a click there picks the entry at its place as the list
        /// opened, which the new order gives to another NPC. The next look (a few a second) brings the change again.
        /// </summary>
        public void ShowReach(IEnumerable<string> npcIds)
        {
            if (ListOpen()) return;
            if (choices.SetInReach(npcIds)) ShowChoices();
        }

        /// <summary>uGUI's Dropdown shows its list as a child of its own named "Dropdown List" (it has no IsExpanded, as TMP's has).</summary>
        private bool ListOpen()
        {
            return speakTo != null && speakTo.transform.Find("Dropdown List") != null;
        }

        /// <summary>Forgets the room's NPCs (the scene is rebuilt from the room's state); the player's choice is kept.</summary>
        public void ClearNpcs()
        {
            // The choice outlives the rebuild: reset to everyone, their next line to a private NPC went public.
            choices.Clear();
            ShowChoices();
        }

        public void ShowStatus(string text)
        {
            if (status != null) status.text = text;
        }

        /// <summary>An NPC of the room becomes a choice in the dropdown.</summary>
        public void AddNpc(string npcId, string name, bool privateTalk)
        {
            UpdateNpc(npcId, name, privateTalk);
        }

        /// <summary>An edit of the world file renamed the NPC or changed whether it talks in private: its entry says so.</summary>
        public void UpdateNpc(string npcId, string name, bool privateTalk)
        {
            choices.Set(npcId, name, privateTalk);
            ShowChoices();
        }

        /// <summary>
        /// An NPC removed from the world (an edit of its file) leaves the dropdown. Chosen, it stays there marked as
        /// gone, the player is told, and nothing is sent until they choose again.
        /// </summary>
        public void RemoveNpc(string npcId)
        {
            if (choices.Remove(npcId)) ShowError(ErrorWords.NpcGone(choices.ChosenName));
            ShowChoices();
        }

        /// <summary>The dropdown as <see cref="choices"/> has it, after the player chose entry <paramref name="chosen"/> (if any).</summary>
        private void ShowChoices(int chosen = -1)
        {
            if (chosen >= 0) choices.Choose(chosen);
            if (speakTo == null) return;
            var labels = choices.Labels();
            speakTo.ClearOptions();
            speakTo.AddOptions(labels.ConvertAll(label => new Dropdown.OptionData(label)));
            speakTo.SetValueWithoutNotify(choices.ChosenIndex);
            speakTo.RefreshShownValue();
        }

        /// <summary>
        /// Out of a room (put out, banned, its connection lost until taken back) nothing can be said; in one again, it can.
        /// Not while the SDK resumes a dropped connection: off, uGUI takes the focus from the box, mid-line.
        /// </summary>
        public void ShowInRoom(bool inRoom)
        {
            // In again, the words about why the player was out get their seconds from now.
            notices.InRoom(inRoom, Time.time, errorSeconds);
            if (input != null) input.interactable = inRoom;
            if (speakTo != null) speakTo.interactable = inRoom;
        }

        /// <summary>
        /// A server error in Korean (ErrorWords); a refused line comes back into the input box, unless the player
        /// is typing another: then it waits a ↑ away, and the error says so (it was lost).
        /// </summary>
        public void ShowError(WorldError error)
        {
            var typingAnother = !string.IsNullOrEmpty(error.text) && input.text.Length > 0;
            // rate_limited does not say to whom (null): calling it back leaves the choice as it is then.
            if (typingAnother) recall.Add(new RecalledLine(error.text, error.npcId));
            var hint = typingAnother ? " " + ErrorWords.RecallHint : "";
            if (!string.IsNullOrEmpty(error.text) && !typingAnother)
            {
                input.text = error.text;
                // …to the NPC it was said to, unless it calls one itself: a busy line waits its turn, and its error may
                // come seconds later, the player since speaking to another NPC, to whom the line would go.
                var callsOne = error.text.TrimStart().StartsWith("@") || error.text.TrimStart().StartsWith("＠");
                if (!callsOne && choices.ChooseNpc(error.npcId)) ShowChoices();
            }
            // The chosen NPC was given another id by an edit (its name kept): the NPC of its name is chosen, as the line
            // put back chooses it above; also for a line that calls one, one kept a ↑ away, or none given back.
            if (error.code == "npc_changed" && choices.ChosenChanged(error.npcId)) ShowChoices();
            // The chosen NPC is not in the room (it left while the player was away): said, and chosen again as above.
            var chosen = choices.Chosen;
            if (error.code == "unknown_npc" && chosen != null && (error.npcId == chosen || !choices.Has(chosen)) && choices.ChosenLeft())
            {
                ShowError(ErrorWords.NpcGone(choices.ChosenName) + hint);
                ShowChoices();
                return;
            }
            ShowError(ErrorWords.For(error, choices.NameOf(error.npcId)) + hint);
        }

        /// <summary>
        /// Words for the player, over those shown before (<see cref="ChatNotices"/>). <paramref name="untilInRoom"/>: why
        /// the player is out of the room (put out, banned, a join refused), kept until they are in one again, as the
        /// browser keeps its connection notices.
        /// </summary>
        public void ShowError(string message, bool untilInRoom = false)
        {
            notices.Expire(Time.time);
            notices.Show(message, Time.time, errorSeconds, untilInRoom);
            ShowNotices();
        }

        private void ShowNotices()
        {
            if (error != null) error.text = notices.Text();
        }

        private void Update()
        {
            if (notices.Expire(Time.time)) ShowNotices();
        }

        /// <summary>After the frame's Updates: the input box has had the key (↑ takes its caret to the start) when the recalled line goes in.</summary>
        private void LateUpdate()
        {
            if (IsTyping && Input.GetKeyDown(KeyCode.UpArrow)) Recall(recall.Older(new RecalledLine(input.text, choices.Chosen ?? "")));
            if (IsTyping && Input.GetKeyDown(KeyCode.DownArrow)) Recall(recall.Newer());
        }

        /// <summary>A line called back with ↑ or ↓ into the box, to whom it was said where known and still a choice (it went to whichever was chosen).</summary>
        private void Recall(RecalledLine line)
        {
            if (line == null) return;
            input.text = line.Text;
            // At the end, as typed: ↑ in a one-line box took the caret to the start.
            input.caretPosition = input.text.Length;
            if (line.To == "") ShowChoices(0);
            else if (choices.ChooseNpc(line.To)) ShowChoices();
        }
    }
}
