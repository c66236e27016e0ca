namespace NeighbourHub.Web.Hosting;

/// <summary>Small text rules shared by every feature.</summary>
public static class Texts
{
    /// <summary>At most <paramref name="max"/> characters, an ellipsis marking a cut (subscribe-message fields, titles, columns).</summary>
    public static string Clip(this string s, int max) => s.Length <= max ? s : s[..(max - 1)] + "…";

    /// <summary>Digits and capitals without 0/O, 1/I/L: codes people read aloud and type on phones (invite codes, ballot receipts).</summary>
    public const string ReadableAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

    /// <summary>A random code of <paramref name="length"/> characters from <see cref="ReadableAlphabet"/> (cryptographic randomness).</summary>
    public static string ReadableCode(int length)
    {
        Span<char> chars = stackalloc char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = ReadableAlphabet[System.Security.Cryptography.RandomNumberGenerator.GetInt32(ReadableAlphabet.Length)];
        }

        return new string(chars);
    }
}
