using NeighbourHub.Web.Features.Organisation;
using NeighbourHub.Web.Features.Repairs;

namespace NeighbourHub.UnitTests;

/// <summary>A rule written once as an expression answers the same in a query (the expression) and in memory (the method).</summary>
public sealed class RulesWrittenOnceTests
{
    [Theory]
    [InlineData(RepairStatus.Submitted, true)]
    [InlineData(RepairStatus.Assigned, true)]
    [InlineData(RepairStatus.InProgress, true)]
    [InlineData(RepairStatus.Resolved, false)]
    [InlineData(RepairStatus.Closed, false)]
    [InlineData(RepairStatus.Cancelled, false)]
    public void A_repair_is_open_until_it_is_resolved_or_cancelled(RepairStatus status, bool open)
    {
        var repair = InState(status);
        Assert.Equal(status, repair.Status);
        Assert.Equal(open, repair.IsOpen);
        Assert.Equal(open, Repair.IsOpenStatus(status));
        Assert.Equal(open, Repair.Open.Compile()(repair));
    }

    private static Repair InState(RepairStatus status)
    {
        var now = new DateTimeOffset(2026, 11, 23, 2, 0, 0, TimeSpan.Zero);
        var r = new Repair { Description = "漏水", CreatedAt = now, DeadlineAt = now.AddHours(24) };
        if (status == RepairStatus.Cancelled)
        {
            r.Cancel();
            return r;
        }

        if (status >= RepairStatus.Assigned)
        {
            r.Assign(7);
        }

        if (status >= RepairStatus.InProgress)
        {
            r.Start(7);
        }

        if (status >= RepairStatus.Resolved)
        {
            r.Resolve("换阀门", now.AddHours(3));
        }

        if (status >= RepairStatus.Closed)
        {
            r.Rate(5, null, now.AddHours(4));
        }

        return r;
    }

    [Theory]
    [InlineData("2026-06-30", false)]
    [InlineData("2026-07-01", true)]
    [InlineData("2026-12-31", true)]
    [InlineData("2027-01-01", false)]
    public void A_firm_serves_from_its_takeover_through_its_last_day(string day, bool serves)
    {
        var contract = new EstateFirmContract { From = new DateOnly(2026, 7, 1), To = new DateOnly(2026, 12, 31) };
        var d = DateOnly.Parse(day, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(serves, contract.IsActiveOn(d));
        Assert.Equal(serves, EstateFirmContract.ActiveOn(d).Compile()(contract));
    }
}
