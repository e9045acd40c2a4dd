using System;
using System.Collections.Generic;

namespace Kobot
{
    /// <summary>
    /// Whom the player's next line goes to: everyone, or one of the room's NPCs, as the chat's dropdown lists them
    /// (<see cref="Labels"/>, "모두에게" first). Plain C#, without Unity, so that a test can run it.
    ///
    /// The choice is an NPC's id, not a place in the list: it outlives a rebuild of the scene (a reconnection), and an
    /// NPC that leaves the room (an edit of the world file) stays chosen, marked as gone, until the player chooses
    /// again or an edit brings it back. Nothing is sent to it meanwhile (its place went to everyone, and a question meant
    /// for a private NPC was said to the whole room).
    ///
    /// With many NPCs (a world may hold 100), those the player may ask from where they stand come first (<see cref="SetInReach"/>),
    /// the others after them marked " (멀리)": asked, they answer too_far. A dropdown has no groups, as the browser's list has.
    /// </summary>
    public class NpcChoices
    {
        /// <summary>The room's NPCs in the order they came.</summary>
        private readonly List<string> ids = new List<string>();
        /// <summary>Each NPC's name as last listed, also after it left (to say which one).</summary>
        private readonly Dictionary<string, string> names = new Dictionary<string, string>();
        private readonly HashSet<string> privateTalk = new HashSet<string>();
        private readonly HashSet<string> thinking = new HashSet<string>();
        /// <summary>The NPCs within their talk radius of the player; null until the game says (listed as they came, unmarked).</summary>
        private HashSet<string> inReach;
        /// <summary>
        /// The id an edit gave an NPC asked (npc_changed's npcId) before the state listed it: the error is sent at the edit,
        /// the state's patch that lists the NPC after it.
        /// </summary>
        private string changedTo;

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

        /// <summary>
        /// An NPC of the room, or one renamed or switched to or from private talk by an edit of the world file. The chosen
        /// NPC brought back by an edit is the player's to speak to again, as in the browser: marked gone, it was listed
        /// twice and every line to it refused.
        /// </summary>
        public void Set(string npcId, string name, bool talksInPrivate)
        {
            if (!ids.Contains(npcId)) ids.Add(npcId);
            if (npcId == Chosen) ChosenGone = false;
            names[npcId] = name;
            if (npcId == changedTo)
            {
                changedTo = null;
                ChooseChanged(npcId);
            }
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

        /// <summary>
        /// The server says an NPC asked was given another id by an edit of the world file (npc_changed), <paramref name="npcId"/>
        /// the NPC of its name now: where the chosen NPC has that name, that one is chosen (the same NPC to the player; it
        /// stayed chosen "(떠남)" and every line to it was held), now or once the state lists it. True when chosen now.
        /// </summary>
        public bool ChosenChanged(string npcId)
        {
            if (Chosen == null || npcId == null || npcId == Chosen) return false;
            if (!ids.Contains(npcId))
            {
                changedTo = npcId;
                return false;
            }
            return ChooseChanged(npcId);
        }

        /// <summary>The chosen NPC's id changed to <paramref name="npcId"/> if it has the chosen one's name (else another NPC was asked).</summary>
        private bool ChooseChanged(string npcId)
        {
            if (Chosen == null || Chosen == npcId || NameOf(Chosen) != NameOf(npcId)) return false;
            Chosen = npcId;
            ChosenGone = false;
            return true;
        }

        /// <summary>
        /// The NPCs the player may ask from where they stand now (<see cref="InReach"/>). True when that changed, and the
        /// entries with it: rebuild the dropdown then, not at each step of a walk that changes nobody's reach.
        /// </summary>
        public bool SetInReach(IEnumerable<string> npcIds)
        {
            var now = new HashSet<string>(npcIds);
            if (inReach != null && inReach.SetEquals(now)) return false;
            inReach = now;
            return true;
        }

        /// <summary>
        /// Whether a player <paramref name="dx"/>, <paramref name="dy"/>, <paramref name="dz"/> from an NPC may ask it, as the
        /// server measures (rooms/players/movement.ts <c>distance</c>: in 3D, height counted): farther than its talk radius is too_far.
        /// </summary>
        public static bool InReach(double dx, double dy, double dz, double talkRadius)
        {
            return Math.Sqrt(dx * dx + dy * dy + dz * dz) <= talkRadius;
        }

        /// <summary>
        /// Forgets the room's NPCs (the scene is rebuilt from a room's state); the choice is kept for their return, and who
        /// was in reach until the game says again (listed again, they keep their places).
        /// </summary>
        public void Clear()
        {
            ids.Clear();
            thinking.Clear();
        }

        /// <summary>
        /// The dropdown's entries: everyone, the NPCs in reach, then the others marked "(멀리)", each in the order they came
        /// (private talk and thinking said, as in the browser's list), and last the chosen NPC while it is not listed:
        /// marked "(떠남)" when it left, as it is until it comes back (after a rebuild, or an edit bringing it back).
        /// </summary>
        public List<string> Labels()
        {
            var labels = new List<string> { "모두에게" };
            foreach (var id in Listed())
            {
                var far = inReach != null && !inReach.Contains(id) ? " (멀리)" : "";
                labels.Add(Label(id) + far + (thinking.Contains(id) ? " (생각 중…)" : ""));
            }
            if (ChosenApart()) labels.Add(Label(Chosen) + (ChosenGone ? " (떠남)" : ""));
            return labels;
        }

        /// <summary>The chosen entry's place in <see cref="Labels"/>: it follows the NPC as others come into reach or leave it.</summary>
        public int ChosenIndex
        {
            get { return Chosen == null ? 0 : ChosenApart() ? ids.Count + 1 : Listed().IndexOf(Chosen) + 1; }
        }

        /// <summary>The player chose the entry at <paramref name="index"/> of <see cref="Labels"/>.</summary>
        public void Choose(int index)
        {
            if (index == ChosenIndex) return; // the same one again (or our own setting of the dropdown)
            var listed = Listed();
            Chosen = index > 0 && index <= listed.Count ? listed[index - 1] : null;
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

        /// <summary>The NPCs as <see cref="Labels"/> lists them: those in reach first, each part in the order they came.</summary>
        private List<string> Listed()
        {
            if (inReach == null) return ids;
            var listed = ids.FindAll(id => inReach.Contains(id));
            listed.AddRange(ids.FindAll(id => !inReach.Contains(id)));
            return listed;
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
