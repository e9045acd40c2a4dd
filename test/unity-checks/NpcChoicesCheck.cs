using System;
using System.Collections.Generic;
using Kobot;

/// <summary>
/// Runs the Unity client's NpcChoices (whom a line goes to, the chat dropdown's entries) through the cases that went
/// wrong, and with many NPCs those in reach first, for test/unity.client.test.ts. Prints each failed expectation; exits 1 if any.
/// </summary>
public static class NpcChoicesCheck
{
    private static int failures;

    private static void Expect(object actual, object expected, string what)
    {
        if (Equals(actual, expected)) return;
        failures++;
        Console.WriteLine(what + ": expected " + expected + ", got " + actual);
    }

    private static void ExpectLabels(NpcChoices choices, string expected, string what)
    {
        Expect(string.Join(" | ", choices.Labels()), expected, what);
    }

    public static int Main()
    {
        Console.OutputEncoding = new System.Text.UTF8Encoding(false);

        var choices = new NpcChoices();
        choices.Set("kobot", "코봇", false);
        choices.Set("hans", "한스", true);
        ExpectLabels(choices, "모두에게 | 코봇 | 한스 (귓속말)", "listed");
        Expect(choices.Chosen, null, "everyone at first");

        // The chosen NPC leaves (an edit of the world file): marked, said, and nothing goes to everyone instead.
        choices.Choose(2);
        Expect(choices.Chosen, "hans", "chose 한스");
        Expect(choices.Remove("hans"), true, "the chosen NPC left");
        Expect(choices.ChosenGone, true, "gone");
        Expect(choices.Chosen, "hans", "still chosen, not everyone");
        Expect(choices.ChosenName, "한스", "named");
        ExpectLabels(choices, "모두에게 | 코봇 | 한스 (귓속말) (떠남)", "shown as gone");
        Expect(choices.ChosenIndex, 2, "its entry chosen");
        choices.Choose(2);
        Expect(choices.ChosenGone, true, "choosing the gone one again is no new choice");
        Expect(choices.Remove("hans"), false, "said once");
        // It comes back (another edit): chosen as it was, as in the browser, listed once, and lines go to it again (it
        // stayed "(떠남)" beside its own entry, and every line to it was refused until the player chose again).
        choices.Set("hans", "한스", false);
        Expect(choices.ChosenGone, false, "back: no longer gone");
        Expect(choices.Chosen, "hans", "still the choice");
        ExpectLabels(choices, "모두에게 | 코봇 | 한스", "listed once, as the edit has it");
        Expect(choices.ChosenIndex, 2, "its own entry chosen");
        choices.Choose(2);
        Expect(choices.Chosen, "hans", "setting the dropdown to it is no new choice");
        Expect(choices.Remove("hans"), true, "leaving again is said again");
        choices.Choose(0);
        Expect(choices.Chosen, null, "chose everyone");
        Expect(choices.ChosenGone, false, "a new choice");
        ExpectLabels(choices, "모두에게 | 코봇", "the gone entry is dropped");
        choices.Set("hans", "한스", false);
        Expect(choices.Chosen, null, "an NPC no longer chosen comes back unchosen");

        // Another NPC leaving keeps the choice where it is.
        choices.Choose(2);
        Expect(choices.Remove("kobot"), false, "not the chosen one");
        Expect(choices.Chosen, "hans", "the choice stays");
        Expect(choices.ChosenIndex, 1, "at its new place");

        // A rebuild (a reconnection) keeps the choice, also while its NPC is not listed again yet.
        choices.SetThinking("hans", true);
        choices.Clear();
        ExpectLabels(choices, "모두에게 | 한스", "awaiting its return");
        Expect(choices.ChosenIndex, 1, "still shown chosen");
        Expect(choices.ChosenGone, false, "not gone while the room is listed again");
        choices.Set("kobot", "코봇", false);
        choices.Set("hans", "한스", false);
        ExpectLabels(choices, "모두에게 | 코봇 | 한스", "listed again, no longer thinking");
        Expect(choices.ChosenIndex, 2, "chosen again where it is now");

        // It left while the player was away: the server's unknown_npc says so.
        choices.Clear();
        choices.Set("kobot", "코봇", false);
        Expect(choices.ChosenLeft(), true, "the server says it is not there");
        ExpectLabels(choices, "모두에게 | 코봇 | 한스 (떠남)", "shown as gone");
        Expect(choices.ChosenLeft(), false, "said once");

        choices.Choose(1);
        choices.SetThinking("kobot", true);
        ExpectLabels(choices, "모두에게 | 코봇 (생각 중…)", "thinking");
        Expect(choices.Chosen, "kobot", "chose 코봇");

        Changed();
        InReach();
        return failures == 0 ? 0 : 1;
    }

    /// <summary>
    /// An edit gives the chosen NPC another id, its name kept (hans → smith, still 한스): the server's npc_changed names the
    /// NPC of that name now, which is chosen, whether the state listed it before the error came or after.
    /// </summary>
    private static void Changed()
    {
        var choices = new NpcChoices();
        choices.Set("kobot", "코봇", false);
        choices.Set("hans", "한스", false);
        choices.Choose(2);
        // The state's patch first (a question with the brain is told when its brain is done).
        Expect(choices.Remove("hans"), true, "the chosen NPC left");
        choices.Set("smith", "한스", false);
        Expect(choices.ChosenChanged("smith"), true, "npc_changed names the NPC of the chosen one's name");
        Expect(choices.Chosen, "smith", "the NPC of its name chosen");
        Expect(choices.ChosenGone, false, "no longer gone: lines go to it");
        ExpectLabels(choices, "모두에게 | 코봇 | 한스", "listed once, not (떠남)");
        Expect(choices.ChosenIndex, 2, "its entry chosen");
        Expect(choices.ChosenChanged("smith"), false, "already chosen");
        choices.Set("mina", "미나", false);
        Expect(choices.ChosenChanged("mina"), false, "another NPC's change leaves the choice");
        Expect(choices.Chosen, "smith", "still 한스");

        // The error first (a question waiting is told at the edit), the patch that lists the NPC after it.
        Expect(choices.ChosenChanged("baker"), false, "not listed yet");
        Expect(choices.Chosen, "smith", "chosen as it was until then");
        Expect(choices.Remove("smith"), true, "the chosen NPC left");
        choices.Set("baker", "한스", false);
        Expect(choices.Chosen, "baker", "chosen once listed");
        Expect(choices.ChosenGone, false, "lines go to it");
        ExpectLabels(choices, "모두에게 | 코봇 | 미나 | 한스", "listed once");
        choices.Set("gil", "길동", false);
        Expect(choices.ChosenChanged("gil"), false, "another NPC");
        Expect(choices.Chosen, "baker", "the choice stays");

        // Everyone chosen: an NPC's change chooses nobody.
        choices.Choose(0);
        Expect(choices.ChosenChanged("baker"), false, "everyone stays chosen");
        Expect(choices.Chosen, null, "everyone");
    }

    /// <summary>
    /// With many NPCs, some within reach of the player: those in reach come first in the dropdown, the choice follows its
    /// NPC, and a walk that changes nobody's reach is no change.
    /// </summary>
    private static void InReach()
    {
        var choices = new NpcChoices();
        choices.Set("kobot", "코봇", false);
        choices.Set("hans", "한스", true);
        choices.Set("mina", "미나", false);
        choices.Set("gil", "길동", false);
        ExpectLabels(choices, "모두에게 | 코봇 | 한스 (귓속말) | 미나 | 길동", "as they came, unmarked, until the game says who is in reach");

        Expect(choices.SetInReach(new[] { "mina", "hans" }), true, "who is in reach is news");
        ExpectLabels(choices, "모두에게 | 한스 (귓속말) | 미나 | 코봇 (멀리) | 길동 (멀리)", "in reach first, in the order they came; the others marked");

        // The choice is the NPC: its entry moves with it.
        choices.Choose(2);
        Expect(choices.Chosen, "mina", "chose 미나 where she is listed");
        Expect(choices.SetInReach(new[] { "kobot", "hans", "mina" }), true, "코봇 comes into reach");
        ExpectLabels(choices, "모두에게 | 코봇 | 한스 (귓속말) | 미나 | 길동 (멀리)", "코봇 moves up");
        Expect(choices.ChosenIndex, 3, "미나's entry moved down one");
        choices.Choose(choices.ChosenIndex);
        Expect(choices.Chosen, "mina", "setting the dropdown to her new place is no new choice");
        Expect(choices.SetInReach(new[] { "kobot", "hans" }), true, "미나 out of reach");
        ExpectLabels(choices, "모두에게 | 코봇 | 한스 (귓속말) | 미나 (멀리) | 길동 (멀리)", "미나 marked");
        Expect(choices.ChosenIndex, 3, "still chosen, out of reach: the server says too_far");
        choices.Choose(4);
        Expect(choices.Chosen, "gil", "chose 길동 at his place now");

        // A walk that changes nobody's reach: no rebuild of the dropdown, whatever order the ids come in.
        Expect(choices.SetInReach(new List<string> { "hans", "kobot" }), false, "the same NPCs in reach");
        Expect(choices.SetInReach(new[] { "hans", "kobot", "kobot" }), false, "and again");
        Expect(choices.SetInReach(new string[0]), true, "nobody in reach");
        ExpectLabels(choices, "모두에게 | 코봇 (멀리) | 한스 (귓속말) (멀리) | 미나 (멀리) | 길동 (멀리)", "all marked, as they came");
        Expect(choices.SetInReach(new string[0]), false, "still nobody");

        // Thinking and leaving as before; an NPC gone is in no part of the list.
        choices.SetInReach(new[] { "gil" });
        choices.SetThinking("gil", true);
        choices.SetThinking("kobot", true);
        ExpectLabels(choices, "모두에게 | 길동 (생각 중…) | 코봇 (멀리) (생각 중…) | 한스 (귓속말) (멀리) | 미나 (멀리)", "thinking said, in reach or not");
        Expect(choices.ChosenIndex, 1, "길동 first now");
        Expect(choices.Remove("gil"), true, "the chosen NPC left");
        ExpectLabels(choices, "모두에게 | 코봇 (멀리) (생각 중…) | 한스 (귓속말) (멀리) | 미나 (멀리) | 길동 (떠남)", "gone, last, unmarked");
        Expect(choices.ChosenIndex, 4, "its entry chosen");

        // A rebuild keeps who was in reach until the game says again: the NPCs keep their places.
        choices.Choose(0);
        choices.SetInReach(new[] { "mina" });
        choices.Clear();
        choices.Set("kobot", "코봇", false);
        choices.Set("hans", "한스", true);
        choices.Set("mina", "미나", false);
        ExpectLabels(choices, "모두에게 | 미나 | 코봇 (멀리) | 한스 (귓속말) (멀리)", "listed again where they were");

        // The distance as the server measures it: in 3D, the talk radius itself still in reach.
        Expect(NpcChoices.InReach(3, 0, 4, 5), true, "5 m away, radius 5");
        Expect(NpcChoices.InReach(3, 0.1, 4, 5), false, "a little higher: beyond");
        Expect(NpcChoices.InReach(0, 6, 0, 5), false, "6 m above");
        Expect(NpcChoices.InReach(-2, 0, -2, 3), true, "behind, within");
    }
}
