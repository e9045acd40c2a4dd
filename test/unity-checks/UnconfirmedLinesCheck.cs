using System;
using System.Collections.Generic;
using Kobot;
using Kobot.Schema;

/// <summary>
/// For test/unity.client.test.ts: UnconfirmedLines, the chat lines kept until the room shows or refuses them, as the
/// browser client's test/web-client.unconfirmed-lines.test.ts has them. Prints each failed expectation; exits 1 if any.
/// </summary>
public static class UnconfirmedLinesCheck
{
    private static int failures;

    public static int Main()
    {
        Console.OutputEncoding = new System.Text.UTF8Encoding(false);
        ConfirmedByTheirEcho();
        EchoedAsTheServerCleans();
        ConfirmedByTheirRefusal();
        BoundedAndRecent();
        FirstSendingCounts();
        NoneAfterClear();
        return failures == 0 ? 0 : 1;
    }

    /// <summary>A line is taken as reached when the player's own line with its words comes; another's, or an NPC's, is not its echo.</summary>
    private static void ConfirmedByTheirEcho()
    {
        var lines = new UnconfirmedLines();
        lines.Sent(Chat("안녕"), 0);
        lines.Heard(Line("player", "안녕"), true);
        Expect(lines.Count == 0, "confirmed by its echo", "kept: " + lines.Count);
        lines.Sent(Chat("안녕", "kobot"), 1);
        lines.Heard(Line("player", "안녕"), false);
        lines.Heard(Line("npc", "안녕"), true);
        lines.Heard(Line("system", "안녕"), true);
        var unsent = lines.UnsentWithin(60, 2);
        Expect(unsent.Count == 1 && (string)unsent[0]["text"] == "안녕" && (string)unsent[0]["to"] == "kobot", "another's line with its words is no echo: sent again as sent", Said(unsent));
        Expect(lines.Count == 1, "sent again, still to be confirmed", "kept: " + lines.Count);
    }

    /// <summary>The echo carries the words as the server cleaned them: spaces run together, trimmed, a zero-width space gone.</summary>
    private static void EchoedAsTheServerCleans()
    {
        var lines = new UnconfirmedLines();
        lines.Sent(Chat("  반가워   요\u200b "), 0);
        lines.Heard(Line("player", "반가워 요"), true);
        Expect(lines.Count == 0, "confirmed by its cleaned words", "kept: " + lines.Count);
    }

    /// <summary>A refusal answers the line it gives back, not the oldest (whose echo may still be coming); others answer none.</summary>
    private static void ConfirmedByTheirRefusal()
    {
        var lines = new UnconfirmedLines();
        lines.Sent(Chat("첫째"), 0);
        lines.Sent(Chat("둘째"), 0);
        lines.Sent(Chat("셋째"), 0);
        lines.Sent(Chat("넷째"), 0);
        lines.Refused(new WorldError { code = "rate_limited", text = "둘째", retryAfterMs = 900 });
        lines.Refused(new WorldError { code = "moderated", text = "셋째" });
        lines.Refused(new WorldError { code = "unknown_message" }); // not about a line
        lines.Refused(new WorldError { code = "npc_busy", text = " 넷째 " });
        Expect(Said(lines.UnsentWithin(60, 0)) == "첫째", "the refused lines answered", "");
        lines.Refused(new WorldError { code = "chat_empty", text = "" }); // not 첫째: nothing to answer
        Expect(lines.Count == 1, "첫째 alone kept", "kept: " + lines.Count);
    }

    /// <summary>Only the last 20 lines are kept, and only those of the time asked for are sent again.</summary>
    private static void BoundedAndRecent()
    {
        var lines = new UnconfirmedLines();
        for (var i = 0; i < 30; i++) lines.Sent(Chat("줄 " + i), i);
        Expect(lines.Count == UnconfirmedLines.Kept && UnconfirmedLines.Kept == 20, "20 kept", "kept: " + lines.Count);
        var again = Said(lines.UnsentWithin(5, 29));
        Expect(again == "줄 24|줄 25|줄 26|줄 27|줄 28|줄 29", "those of the last 5 s, oldest first", again);
    }

    /// <summary>The send-again limit counts from a line's first sending: one that closes every socket it goes on stops going.</summary>
    private static void FirstSendingCounts()
    {
        var lines = new UnconfirmedLines();
        lines.Sent(Chat("너무 큰 줄"), 0);
        // Each return (a 1009 close, a rejoin, the line sent again, another close) finds it unconfirmed still.
        for (var back = 2; back <= 60; back += 2) Expect(Said(lines.UnsentWithin(60, back)) == "너무 큰 줄", "sent again at " + back + " s", "");
        var late = Said(lines.UnsentWithin(60, 62));
        Expect(late == "" && lines.Count == 0, "60 s after the player's Enter, not again", late);
    }

    /// <summary>Cleared (the server closed the socket for a message too big), none is sent again.</summary>
    private static void NoneAfterClear()
    {
        var lines = new UnconfirmedLines();
        lines.Sent(Chat("하나"), 0);
        lines.Sent(Chat("둘"), 0);
        lines.Clear();
        Expect(lines.UnsentWithin(60, 1).Count == 0, "none sent again once cleared", "");
    }

    private static Dictionary<string, object> Chat(string text, string to = null)
    {
        var message = new Dictionary<string, object> { { "text", text } };
        if (to != null) message["to"] = to;
        return message;
    }

    private static ChatLine Line(string kind, string text)
    {
        return new ChatLine { id = Guid.NewGuid().ToString(), kind = kind, from = "session-1", text = text };
    }

    private static string Said(List<Dictionary<string, object>> messages)
    {
        return string.Join("|", messages.ConvertAll(message => (string)message["text"]));
    }

    private static void Expect(bool ok, string what, string seen)
    {
        if (ok) return;
        failures++;
        Console.WriteLine(what + " (" + seen + ")");
    }
}
