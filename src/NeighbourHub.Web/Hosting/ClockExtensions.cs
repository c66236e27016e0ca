namespace NeighbourHub.Web.Hosting;

public static class ClockExtensions
{
    /// <summary>
    /// Now, cut to whole microseconds: what MariaDB's datetime(6) keeps. Use it for timestamps that
    /// are both stored and answered, so the first answer equals every later read.
    /// </summary>
    public static DateTimeOffset StorableNow(this TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        return now.AddTicks(-(now.Ticks % 10));
    }
}
