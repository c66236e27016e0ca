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
}
