using System;

/// <summary>
/// For test/unity.client.test.ts: each line of stdin, UTF-8 in base64, counted as the chat box counts it before
/// sending (TextWithin.Cleaned, then Characters), one count a line.
/// </summary>
public static class CountCheck
{
    public static int Main()
    {
        for (var line = Console.ReadLine(); line != null; line = Console.ReadLine())
        {
            var text = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(line));
            Console.WriteLine(Kobot.TextWithin.Characters(Kobot.TextWithin.Cleaned(text)));
        }
        return 0;
    }
}
