using System;
using Kobot;

/// <summary>
/// Says the reason the Unity client's Report would send, one input line (a reason as the game passes it) at a time, for
/// test/unity.client.test.ts to compare with the browser client's cut (web-client/src/text-within.ts). Output: the
/// reason sent, or "(none)" when the message carries none.
/// </summary>
public static class ReportCheck
{
    public static void Main()
    {
        Console.OutputEncoding = new System.Text.UTF8Encoding(false);
        var stdin = new System.IO.StreamReader(Console.OpenStandardInput(), new System.Text.UTF8Encoding(false));
        string line;
        while ((line = stdin.ReadLine()) != null)
        {
            var message = KobotNetwork.ReportMessage("someone", line);
            object reason;
            Console.WriteLine(message.TryGetValue("reason", out reason) ? (string)reason : "(none)");
        }
    }
}
