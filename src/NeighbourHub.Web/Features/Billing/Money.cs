using System.Globalization;

namespace NeighbourHub.Web.Features.Billing;

/// <summary>
/// The one formatter for 元 (ARCHITECTURE: one formatter per kind). It lives with Billing because fees own
/// the money people read; Payments, reminders and the console all use it.
/// </summary>
public static class Money
{
    /// <summary>Yuan for people: 12345 fen → "123.45".</summary>
    public static string Yuan(long fen) => (fen / 100m).ToString("0.00", CultureInfo.InvariantCulture);

    private const string Digits = "零壹贰叁肆伍陆柒捌玖";
    private static readonly string[] GroupUnits = ["", "万", "亿", "万亿"];

    /// <summary>
    /// The amount in Chinese capitals (大写) as receipts and invoices write it: 16150 fen → 壹佰陆拾壹元伍角整,
    /// 1005 → 壹拾元零伍分, 1000100 → 壹万零壹元整, 0 → 零元整. One 零 stands for any run of zeros between
    /// digits (支付结算办法); 整 ends an amount without 分.
    /// </summary>
    public static string Capitals(long fen)
    {
        if (fen < 0)
        {
            return "负" + Capitals(-fen);
        }

        var (yuan, jiao, cents) = (fen / 100, (int)(fen / 10 % 10), (int)(fen % 10));
        var text = new System.Text.StringBuilder();
        if (yuan > 0 || (jiao == 0 && cents == 0))
        {
            text.Append(yuan == 0 ? "零" : Integer(yuan)).Append('元');
        }

        if (jiao > 0)
        {
            text.Append(Digits[jiao]).Append('角');
        }
        else if (cents > 0 && yuan > 0)
        {
            text.Append('零');
        }

        return cents > 0 ? text.Append(Digits[cents]).Append('分').ToString() : text.Append('整').ToString();
    }

    /// <summary>A positive whole number in capitals, in groups of four digits (个, 万, 亿, 万亿).</summary>
    private static string Integer(long n)
    {
        var groups = new List<int>();
        for (; n > 0; n /= 10_000)
        {
            groups.Add((int)(n % 10_000));
        }

        var text = new System.Text.StringBuilder();
        var zeroPending = false;
        for (var i = groups.Count - 1; i >= 0; i--)
        {
            var g = groups[i];
            if (g == 0)
            {
                zeroPending = text.Length > 0;
                continue;
            }

            if (text.Length > 0 && (zeroPending || g < 1000))
            {
                text.Append('零');
            }

            text.Append(Group(g)).Append(GroupUnits[i]);
            zeroPending = g % 10 == 0;
        }

        return text.ToString();
    }

    /// <summary>1..9999 with 仟佰拾, one 零 for zeros between digits, none at the end: 1010 → 壹仟零壹拾.</summary>
    private static string Group(int g)
    {
        ReadOnlySpan<char> units = ['仟', '佰', '拾', '\0'];
        var text = new System.Text.StringBuilder();
        var zero = false;
        for (var (d, div) = (0, 1000); d < 4; d++, div /= 10)
        {
            var digit = g / div % 10;
            if (digit == 0)
            {
                zero = text.Length > 0;
                continue;
            }

            if (zero)
            {
                text.Append('零');
                zero = false;
            }

            text.Append(Digits[digit]);
            if (units[d] != '\0')
            {
                text.Append(units[d]);
            }
        }

        return text.ToString();
    }
}
