using System.Globalization;

namespace NeighbourHub.Web.Hosting;

/// <summary>
/// The one calendar of the product: everything a person reads, and every "today", "this month" or billing
/// period, is in Asia/Shanghai. China has kept one offset (+08:00) without daylight saving since 1991, so a
/// fixed offset is exact and needs no time-zone database (which slim containers may lack).
/// Instants are stored in UTC; this class turns them into Chinese days, months and display text.
/// </summary>
public static class ChinaTime
{
    public static readonly TimeSpan Offset = TimeSpan.FromHours(8);

    /// <summary>The instant as a Chinese wall-clock time (+08:00).</summary>
    public static DateTimeOffset ToChina(this DateTimeOffset instant) => instant.ToOffset(Offset);

    /// <summary>Today's date in China.</summary>
    public static DateOnly Today(this TimeProvider clock) => DayOf(clock.GetUtcNow());

    /// <summary>The Chinese calendar day an instant falls on.</summary>
    public static DateOnly DayOf(DateTimeOffset instant) => DateOnly.FromDateTime(instant.ToOffset(Offset).DateTime);

    /// <summary>The first instant of a Chinese day (its midnight, +08:00).</summary>
    public static DateTimeOffset StartOf(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), Offset);

    /// <summary>The first instant of a Chinese month.</summary>
    public static DateTimeOffset StartOfMonth(int year, int month) => new(year, month, 1, 0, 0, 0, Offset);

    /// <summary>The first instant of the Chinese month an instant falls in.</summary>
    public static DateTimeOffset StartOfMonth(DateTimeOffset instant)
    {
        var local = instant.ToOffset(Offset);
        return StartOfMonth(local.Year, local.Month);
    }

    /// <summary>The month as people write it: 2026-11.</summary>
    public static string MonthKey(DateTimeOffset instant) => instant.ToOffset(Offset).ToString("yyyy-MM", CultureInfo.InvariantCulture);

    /// <summary>Display text in Chinese time, e.g. "yyyy-MM-dd HH:mm" (the default).</summary>
    public static string Show(this DateTimeOffset instant, string format = "yyyy-MM-dd HH:mm") =>
        instant.ToOffset(Offset).ToString(format, CultureInfo.InvariantCulture);

    /// <summary>Display text in Chinese time, or empty for none.</summary>
    public static string Show(this DateTimeOffset? instant, string format = "yyyy-MM-dd HH:mm") =>
        instant is { } i ? i.Show(format) : "";
}
