using System.Collections.Generic;

namespace Kobot
{
    /// <summary>
    /// Whom the player's next line goes to: everyone, or one of the room's NPCs, as the chat's dropdown lists them
    /// (<see cref="Labels"/>, "모두에게" first). Plain C#, without Unity, so that a test can run it.
    ///
    /// The choice is an NPC's id, not a place in the list: it outlives a rebuild of the scene (a reconnection), and an
    /// NPC that leaves the room (an edit of the world file) stays chosen, marked as gone, until the player chooses
    /// again. Nothing is sent to it meanwhile (its place went to everyone, and a question meant for a private NPC was
    /// said to the whole room).
    /// </summary>
    public class NpcChoices
    {
        /// <summary>The room's NPCs in the order they came.</summary>
        private readonly List<string> ids = new List<string>();
        /// <summary>Each NPC's name as last listed, also after it left (to say which one).</summary>
        private readonly Dictionary<string, string> names = new Dictionary<string, string>();
        private readonly HashSet<string> privateTalk = new HashSet<string>();
        private readonly HashSet<string> thinking = new HashSet<string>();

        /// <summary>The chosen NPC's id; null: everyone.</summary>
        public string Chosen { get; private set; }

        /// <summary>The chosen NPC left the room: the player must choose again before a line is sent.</summary>
        public bool ChosenGone { get; private set; }

        /// <summary>The chosen NPC's name (its id if it was never listed), to say which one left.</summary>
        public string ChosenName
        {
            get { return NameOf(Chosen) ?? Chosen; }
        }

        /// <summary>The NPC's name, or null for one never listed.</summary>
        public string NameOf(string npcId)
        {
            string name;
            return npcId != null && names.TryGetValue(npcId, out name) ? name : null;
        }

        public bool Has(string npcId)
        {
            return ids.Contains(npcId);
        }

        /// <summary>An NPC of the room, or one renamed or switched to or from private talk by an edit of the world file.</summary>
        public void Set(string npcId, string name, bool talksInPrivate)
        {
            if (!ids.Contains(npcId)) ids.Add(npcId);
            names[npcId] = name;
            if (talksInPrivate) privateTalk.Add(npcId);
            else privateTalk.Remove(npcId);
        }

        public void SetThinking(string npcId, bool isThinking)
        {
            if (isThinking) thinking.Add(npcId);
            else thinking.Remove(npcId);
        }

        /// <summary>The NPC left the room; true when it was the chosen one (say so: <see cref="ErrorWords.NpcGone"/>).</summary>
        public bool Remove(string npcId)
        {
            if (!ids.Remove(npcId)) return false;
            thinking.Remove(npcId);
            if (npcId != Chosen || ChosenGone) return false;
            ChosenGone = true;
            return true;
        }

        /// <summary>
        /// The server says the chosen NPC is not in the room (it left while the player was away): true when it was chosen
        /// and is now marked gone.
        /// </summary>
        public bool ChosenLeft()
        {
            if (Chosen == null || ChosenGone) return false;
            ids.Remove(Chosen);
            ChosenGone = true;
            return true;
        }

        /// <summary>Forgets the room's NPCs (the scene is rebuilt from a room's state); the choice is kept for their return.</summary>
        public void Clear()
        {
            ids.Clear();
            thinking.Clear();
        }

        /// <summary>
        /// The dropdown's entries: everyone, each NPC (private talk and thinking said, as in the browser's list), and last
        /// the chosen NPC while it is not listed: marked "(떠남)" when it left, as it is until it comes back after a rebuild.
        /// </summary>
        public List<string> Labels()
        {
            var labels = new List<string> { "모두에게" };
            foreach (var id in ids) labels.Add(Label(id) + (thinking.Contains(id) ? " (생각 중…)" : ""));
            if (ChosenApart()) labels.Add(Label(Chosen) + (ChosenGone ? " (떠남)" : ""));
            return labels;
        }

        /// <summary>The chosen entry's place in <see cref="Labels"/>.</summary>
        public int ChosenIndex
        {
            get { return Chosen == null ? 0 : ChosenApart() ? ids.Count + 1 : ids.IndexOf(Chosen) + 1; }
        }

        /// <summary>The player chose the entry at <paramref name="index"/> of <see cref="Labels"/>.</summary>
        public void Choose(int index)
        {
            if (index == ChosenIndex) return; // the same one again (or our own setting of the dropdown)
            Chosen = index > 0 && index <= ids.Count ? ids[index - 1] : null;
            ChosenGone = false;
        }

        /// <summary>The NPC <paramref name="npcId"/> is chosen, if it is listed (a refused line comes back to the NPC it was said to).</summary>
        public bool ChooseNpc(string npcId)
        {
            if (npcId == null || !ids.Contains(npcId)) return false;
            Chosen = npcId;
            ChosenGone = false;
            return true;
        }

        /// <summary>The chosen NPC has an entry of its own at the end: it left, or it is not back yet after a rebuild.</summary>
        private bool ChosenApart()
        {
            return Chosen != null && (ChosenGone || !ids.Contains(Chosen));
        }

        // An NPC that talks in private: what this player and it say, only this player hears.
        private string Label(string npcId)
        {
            return (NameOf(npcId) ?? npcId) + (privateTalk.Contains(npcId) ? " (귓속말)" : "");
        }
    }
}
