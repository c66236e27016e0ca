using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using NeighbourHub.Web.Features.Identity;

namespace NeighbourHub.Web.Features.Events;

/// <summary>
/// QR tickets: <c>NHT1.{eventId}.{residentId}.{expiresUnix}.{signature}</c>, the signature being
/// HMAC-SHA256 over the first four parts with a key derived from the JWT signing key. Altering any
/// character invalidates it; it expires when the event ends (plus an hour for late check-ins).
/// </summary>
public sealed class EventTickets(SigningKey jwtKey, TimeProvider clock)
{
    private const string Prefix = "NHT1";
    private readonly byte[] _key = HMACSHA256.HashData(jwtKey.Key.Key, "neighbourhub/event-tickets/v1"u8);

    public sealed record Ticket(long EventId, long ResidentId, DateTimeOffset ExpiresAt);

    public (string Payload, DateTimeOffset ExpiresAt) Issue(CommunityEvent e, long residentId)
    {
        var expires = e.EndsAt.AddHours(1);
        var body = string.Create(CultureInfo.InvariantCulture, $"{Prefix}.{e.Id}.{residentId}.{expires.ToUnixTimeSeconds()}");
        return ($"{body}.{Sign(body)}", expires);
    }

    /// <summary>The ticket inside a payload, or null with the reason when it is forged, altered or expired.</summary>
    public (Ticket? Ticket, string? Error) Read(string payload)
    {
        var parts = payload.Trim().Split('.');
        if (parts.Length != 5 || parts[0] != Prefix
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var eventId)
            || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var residentId)
            || !long.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var expires))
        {
            return (null, "这不是有效的活动签到码。");
        }

        var body = string.Join('.', parts[..4]);
        var expected = Encoding.ASCII.GetBytes(Sign(body));
        if (!CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(parts[4])))
        {
            return (null, "签到码校验失败，可能已被篡改。");
        }

        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(expires);
        return expiresAt <= clock.GetUtcNow()
            ? (null, "签到码已过期。")
            : (new Ticket(eventId, residentId, expiresAt), null);
    }

    private string Sign(string body) =>
        Convert.ToBase64String(HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes(body))).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
