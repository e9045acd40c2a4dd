using System;
using System.Collections.Generic;
using Kobot;

/// <summary>
/// For test/unity.client.test.ts: LineRecall, the player's recent lines called back with ↑ and ↓, as the browser
/// client's test/web-client.line-recall.test.ts has them. Prints each failed expectation; exits 1 if any.
/// </summary>
public static class LineRecallCheck
{
    private static int failures;

    public static int Main()
    {
        Console.OutputEncoding = new System.Text.UTF8Encoding(false);
        WalksBackAndForthToTheLineBeingTyped();
        StartsAgainAfterEachLineAdded();
        KeepsTheMostRecent();
        return failures == 0 ? 0 : 1;
    }

    /// <summary>
    /// Back through the lines sent, newest first, each with whom it was said to, and forward again to the line being
    /// typed, as it was (its words and its NPC), then nothing further.
    /// </summary>
    private static void WalksBackAndForthToTheLineBeingTyped()
    {
        var recall = new LineRecall();
        foreach (var said in new[] { Line("하나", ""), Line("둘", "hans"), Line("셋", null) }) recall.Add(said);
        var typing = Line("쓰는 중", "kobot");
        var back = Said(recall.Older(typing), recall.Older(Line("셋", null)), recall.Older(Line("둘", "hans")), recall.Older(Line("하나", "")));
        Expect(back == "셋>(unknown) | 둘>hans | 하나>everyone | (none)", "newest first, each to whom it was said, none past the oldest", back);
        var forth = Said(recall.Newer(), recall.Newer(), recall.Newer(), recall.Newer());
        Expect(forth == "둘>hans | 셋>(unknown) | 쓰는 중>kobot | (none)", "forward to the line being typed, kept as it was, then none", forth);
    }

    /// <summary>Each line added starts the walk again from the line being typed; a line said twice in a row to the same one is kept once; an empty one not at all.</summary>
    private static void StartsAgainAfterEachLineAdded()
    {
        var recall = new LineRecall();
        recall.Add(Line("하나", ""));
        recall.Add(Line("둘", ""));
        recall.Older(Line("", ""));
        recall.Add(Line("둘", ""));
        recall.Add(Line("둘", "mina"));
        recall.Add(Line("", ""));
        var walked = Said(recall.Older(Line("", "")), recall.Older(Line("", "")), recall.Older(Line("", "")), recall.Older(Line("", "")));
        Expect(walked == "둘>mina | 둘>everyone | 하나>everyone | (none)", "from the newest again, no repeat, nothing empty", walked);
    }

    /// <summary>Only the 30 most recent lines are kept.</summary>
    private static void KeepsTheMostRecent()
    {
        var recall = new LineRecall();
        for (var i = 0; i < 40; i++) recall.Add(Line("줄 " + i, ""));
        var walked = new List<string>();
        for (var said = recall.Older(Line("", "")); said != null; said = recall.Older(said)) walked.Add(said.Text);
        Expect(walked.Count == 30 && LineRecall.Kept == 30, "30 kept", "walked: " + walked.Count);
        Expect(walked.Count > 0 && walked[walked.Count - 1] == "줄 10", "the oldest kept is the 11th", walked.Count > 0 ? walked[walked.Count - 1] : "none");
    }

    private static RecalledLine Line(string text, string to)
    {
        return new RecalledLine(text, to);
    }

    /// <summary>Lines as "words>to" ("everyone" for "", "(unknown)" for null), "(none)" for no line, joined by " | ".</summary>
    private static string Said(params RecalledLine[] lines)
    {
        return string.Join(" | ", Array.ConvertAll(lines, line =>
            line == null ? "(none)" : line.Text + ">" + (line.To == null ? "(unknown)" : line.To == "" ? "everyone" : line.To)));
    }

    private static void Expect(bool ok, string what, string seen)
    {
        if (ok) return;
        failures++;
        Console.WriteLine(what + " (" + seen + ")");
    }
}
