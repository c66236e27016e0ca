namespace NeighbourHub.Web.Features.Identity;

/// <summary>A mini-program user, known by their openid for this app.</summary>
public sealed class Resident
{
    public long Id { get; set; }
    public required string OpenId { get; set; }
    public string? UnionId { get; set; }
    public string Nickname { get; set; } = "";
    private string? _phoneNumber;

    /// <summary>Full number as WeChat gave it; only <see cref="PhoneMasking"/> output leaves the server (and an audited reveal to staff).</summary>
    public string? PhoneNumber
    {
        get => _phoneNumber;
        set
        {
            _phoneNumber = value;
            PhoneTail = PhoneMasking.Tail(value);
        }
    }

    /// <summary>The last four digits, kept with the number and indexed: staff search residents by them (a suffix LIKE would scan).</summary>
    public string? PhoneTail { get; private set; }
    public bool IsVolunteer { get; set; }
    /// <summary>Staff marked this resident (elderly living alone, disabled…) as having service orders paid by the community pool.</summary>
    public bool ServiceOrdersPaidByPool { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset LastLoginAt { get; set; }
}

/// <summary>
/// One refresh token. Only its SHA-256 is stored. Tokens of one login form a family: each refresh
/// spends the presented token and issues the next; presenting a spent one means it leaked, so the
/// whole family is revoked.
/// </summary>
public sealed class RefreshToken
{
    public long Id { get; set; }
    public long ResidentId { get; set; }
    public Guid FamilyId { get; set; }
    public required string TokenHash { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? UsedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}

public static class PhoneMasking
{
    /// <summary>13812341234 → 138****1234. Anything shorter than 7 digits is fully masked.</summary>
    public static string? Mask(string? phone)
    {
        if (string.IsNullOrEmpty(phone))
        {
            return null;
        }

        return phone.Length < 7 ? new string('*', phone.Length) : string.Concat(phone.AsSpan(0, 3), "****", phone.AsSpan(phone.Length - 4));
    }

    /// <summary>13812341234 → 1234: what staff search by; null for no number or fewer than 4 characters.</summary>
    public static string? Tail(string? phone) => phone is { Length: >= 4 } ? phone[^4..] : null;
}

public static class NameMasking
{
    /// <summary>张三 → 张*, 欧阳娜娜 → 欧***: enough to recognise in a list, not enough to identify.</summary>
    public static string Mask(string name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "";
        }

        var chars = System.Globalization.StringInfo.GetTextElementEnumerator(name);
        chars.MoveNext();
        var first = chars.GetTextElement();
        var rest = new System.Globalization.StringInfo(name).LengthInTextElements - 1;
        return first + new string('*', Math.Max(rest, 1));
    }
}
