using System.Globalization;
using System.Text;
using System.Text.Json;

namespace NeighbourHub.FundVerifier;

/// <summary>
/// RFC 8785 (JSON Canonicalization Scheme) for the values a fund leaf holds: objects with members sorted by the
/// UTF-16 code units of their names, no whitespace, strings escaped as ECMAScript's JSON.stringify does
/// (only <c>"</c>, <c>\</c> and control characters; <c>\b \t \n \f \r</c> short forms, otherwise <c>\u00xx</c> in lowercase),
/// and numbers limited to integers of at most 2^53 − 1 in magnitude (written as plain digits).
/// </summary>
public static class CanonicalJson
{
    public const long MaxSafeInteger = 9_007_199_254_740_991;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Is <paramref name="utf8"/> exactly the canonical form of the JSON it holds? On failure <paramref name="problem"/>
    /// says why, in Chinese; <paramref name="document"/> is the parsed value when the bytes were JSON at all.
    /// </summary>
    public static bool IsCanonical(ReadOnlySpan<byte> utf8, out JsonElement document, out string? problem)
    {
        document = default;
        if (utf8.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            problem = "以 UTF-8 BOM 开头";
            return false;
        }
        try
        {
            _ = StrictUtf8.GetString(utf8);
        }
        catch (DecoderFallbackException)
        {
            problem = "不是有效的 UTF-8";
            return false;
        }
        try
        {
            using var parsed = JsonDocument.Parse(utf8.ToArray(), new JsonDocumentOptions { MaxDepth = 16 });
            document = parsed.RootElement.Clone();
        }
        catch (JsonException e)
        {
            problem = "无法解析为 JSON（" + e.Message + "）";
            return false;
        }
        string canonical;
        try
        {
            canonical = Serialize(document);
        }
        catch (FormatException e)
        {
            problem = e.Message;
            return false;
        }
        var expected = Encoding.UTF8.GetBytes(canonical);
        var common = utf8.CommonPrefixLength(expected);
        if (common == utf8.Length && common == expected.Length)
        {
            problem = null;
            return true;
        }
        problem = string.Create(CultureInfo.InvariantCulture, $"与规范形式在第 {common} 字节处不同（规范形式从该处起应为 {Excerpt(expected, common)}）");
        return false;
    }

    /// <summary>The canonical text of a parsed value; throws <see cref="FormatException"/> (Chinese message) for what RFC 8785 or the fund leaf cannot hold.</summary>
    public static string Serialize(JsonElement value)
    {
        var builder = new StringBuilder();
        Write(value, builder);
        return builder.ToString();
    }

    /// <summary>A JSON string literal escaped as RFC 8785 requires.</summary>
    public static string Quote(string value)
    {
        var builder = new StringBuilder(value.Length + 2);
        WriteString(value, builder);
        return builder.ToString();
    }

    private static void Write(JsonElement value, StringBuilder builder)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                var names = new List<string>();
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var member in value.EnumerateObject())
                {
                    var name = ReadString(() => member.Name);
                    if (!seen.Add(name))
                    {
                        throw new FormatException("成员 " + name + " 重复出现");
                    }
                    names.Add(name);
                }
                names.Sort(string.CompareOrdinal);
                builder.Append('{');
                for (var i = 0; i < names.Count; i++)
                {
                    if (i > 0)
                    {
                        builder.Append(',');
                    }
                    WriteString(names[i], builder);
                    builder.Append(':');
                    Write(value.GetProperty(names[i]), builder);
                }
                builder.Append('}');
                break;
            case JsonValueKind.Array:
                builder.Append('[');
                var first = true;
                foreach (var item in value.EnumerateArray())
                {
                    if (!first)
                    {
                        builder.Append(',');
                    }
                    first = false;
                    Write(item, builder);
                }
                builder.Append(']');
                break;
            case JsonValueKind.String:
                WriteString(ReadString(() => value.GetString()!), builder);
                break;
            case JsonValueKind.Number:
                builder.Append(IntegerText(value));
                break;
            case JsonValueKind.True:
                builder.Append("true");
                break;
            case JsonValueKind.False:
                builder.Append("false");
                break;
            case JsonValueKind.Null:
                builder.Append("null");
                break;
            default:
                throw new FormatException("含有无法识别的值");
        }
    }

    /// <summary>The canonical text of an integer: ECMAScript prints a safe integer as plain digits, and "-0" as "0".</summary>
    private static string IntegerText(JsonElement number)
    {
        if (number.TryGetInt64(out var integer))
        {
            if (integer is > MaxSafeInteger or < -MaxSafeInteger)
            {
                throw new FormatException("数字 " + number.GetRawText() + " 超出安全整数范围（±2^53−1）");
            }
            return integer.ToString(CultureInfo.InvariantCulture);
        }
        if (number.TryGetDecimal(out var exact) && exact == decimal.Truncate(exact) && Math.Abs(exact) <= MaxSafeInteger)
        {
            // 1.0, 1e2, -0.0: integers written in a form the canonical one is not.
            return ((long)exact).ToString(CultureInfo.InvariantCulture);
        }
        throw new FormatException("数字 " + number.GetRawText() + " 不是安全范围内的整数（账本只记整数）");
    }

    private static string ReadString(Func<string> read)
    {
        string text;
        try
        {
            text = read();
        }
        catch (InvalidOperationException)
        {
            throw new FormatException("字符串含有不成对的代理项（非法 Unicode）");
        }
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                throw new FormatException("字符串含有不成对的代理项（非法 Unicode）");
            }
        }
        return text;
    }

    private static void WriteString(string text, StringBuilder builder)
    {
        builder.Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"':
                    builder.Append("\\\"");
                    break;
                case '\\':
                    builder.Append("\\\\");
                    break;
                case '\b':
                    builder.Append("\\b");
                    break;
                case '\t':
                    builder.Append("\\t");
                    break;
                case '\n':
                    builder.Append("\\n");
                    break;
                case '\f':
                    builder.Append("\\f");
                    break;
                case '\r':
                    builder.Append("\\r");
                    break;
                case < ' ':
                    builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default:
                    builder.Append(c);
                    break;
            }
        }
        builder.Append('"');
    }

    private static string Excerpt(byte[] canonical, int offset)
    {
        var start = offset;
        // Step back to a character boundary so the excerpt is readable.
        while (start > 0 && start < canonical.Length && (canonical[start] & 0xC0) == 0x80)
        {
            start--;
        }
        if (start >= canonical.Length)
        {
            return "（结束）";
        }
        var text = Encoding.UTF8.GetString(canonical, start, Math.Min(40, canonical.Length - start));
        return text.TrimEnd('\uFFFD') + (canonical.Length - start > 40 ? "…" : "");
    }
}
