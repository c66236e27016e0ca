namespace NeighbourHub.Web.Features.Demo;

/// <summary>
/// The clock the demo moves forward by hand, so that a history of months is lived through the real services — every
/// rule they keep holds for the demo's past as it would have then.
/// </summary>
internal sealed class DemoClock(DateTimeOffset start = default) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;
}
