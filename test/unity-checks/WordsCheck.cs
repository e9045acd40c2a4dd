using System;
using System.Globalization;
using Kobot;

/// <summary>
/// Says what the Unity client would show, one input line at a time, for test/unity.client.test.ts to compare with
/// the browser client. Input (tab-separated): "error" code npcName distance talkRadius retryAfterMs byAddress message |
/// "join" code signedIn [nameTaken] | "gone" npcName | "again" lines | "waiting" | "hint" | "plain" text. Output: one line each, newlines escaped.
/// </summary>
public static class WordsCheck
{
    public static void Main()
    {
        Console.OutputEncoding = new System.Text.UTF8Encoding(false);
        var stdin = new System.IO.StreamReader(Console.OpenStandardInput(), new System.Text.UTF8Encoding(false));
        string line;
        while ((line = stdin.ReadLine()) != null)
        {
            var f = line.Split('\t');
            string said;
            switch (f[0])
            {
                case "error":
                    var error = new WorldError
                    {
                        code = f[1],
                        distance = double.Parse(f[3], CultureInfo.InvariantCulture),
                        talkRadius = double.Parse(f[4], CultureInfo.InvariantCulture),
                        retryAfterMs = int.Parse(f[5], CultureInfo.InvariantCulture),
                        byAddress = f[6] == "true",
                        message = f[7],
                        text = f.Length > 8 ? f[8] : null, // the line given back, where the error has one
                    };
                    said = ErrorWords.For(error, f[2].Length > 0 ? f[2] : null);
                    break;
                case "join":
                    bool retry;
                    said = ErrorWords.ForJoin(int.Parse(f[1], CultureInfo.InvariantCulture), f[2] == "true", f.Length > 3 && f[3] == "true", out retry) + "\t" + (retry ? "retry" : "stop");
                    break;
                case "gone":
                    said = ErrorWords.NpcGone(f[1]);
                    break;
                case "again":
                    said = ErrorWords.SentAgain(int.Parse(f[1], CultureInfo.InvariantCulture));
                    break;
                case "waiting":
                    said = ErrorWords.WaitingToSend;
                    break;
                case "hint":
                    said = ErrorWords.RecallHint;
                    break;
                default:
                    said = ChatUI.PlainText(f[1]);
                    break;
            }
            Console.WriteLine(said.Replace("\n", "\\n"));
        }
    }
}
