using System;
using System.Collections.Generic;
using Kobot;

/// <summary>
/// Runs the Unity client's NpcChoices (whom a line goes to, the chat dropdown's entries) through the cases that went
/// wrong, for test/unity.client.test.ts. Prints each failed expectation; exits 1 if any.
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
        // It comes back (another edit): still to be chosen again, as in the browser.
        choices.Set("hans", "한스", false);
        Expect(choices.ChosenGone, true, "back, but not chosen again by itself");
        ExpectLabels(choices, "모두에게 | 코봇 | 한스 | 한스 (떠남)", "back, and the gone entry until a new choice");
        choices.Choose(0);
        Expect(choices.Chosen, null, "chose everyone");
        Expect(choices.ChosenGone, false, "a new choice");
        ExpectLabels(choices, "모두에게 | 코봇 | 한스", "the gone entry is dropped");

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

        return failures == 0 ? 0 : 1;
    }
}
