using NeighbourHub.Web.Features.Repairs;
using NeighbourHub.Web.Hosting;

namespace NeighbourHub.UnitTests;

public sealed class RepairRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 2, 0, 0, TimeSpan.Zero);

    private static Repair New() => new() { Description = "漏水", CreatedAt = Now, DeadlineAt = Now.AddHours(24) };

    [Fact]
    public void The_happy_path_ends_closed_with_the_rating()
    {
        var r = New();
        r.Assign(7);
        r.Start(7);
        r.Resolve("换阀门", Now.AddHours(3));
        r.Rate(5, "好", Now.AddHours(4));
        Assert.Equal(RepairStatus.Closed, r.Status);
        Assert.Equal(5, r.Stars);
        Assert.Equal(Now.AddHours(4), r.ClosedAt);
    }

    [Fact]
    public void Every_wrong_step_is_a_conflict_that_says_why()
    {
        var r = New();
        Assert.Contains("must be assigned", Assert.Throws<ConflictException>(() => r.Start(7)).Message, StringComparison.Ordinal);
        Assert.Throws<ConflictException>(() => r.Resolve("x", Now));
        Assert.Throws<ConflictException>(() => r.Rate(5, null, Now));
        Assert.Throws<ConflictException>(() => r.Reopen(Now));
        r.Assign(7);
        Assert.Throws<ConflictException>(() => r.Start(8)); // not the assignee
        r.Start(7);
        Assert.Throws<ConflictException>(() => r.Cancel()); // work has started
        Assert.Throws<ConflictException>(() => r.Assign(9));
    }

    [Fact]
    public void Reopen_goes_back_to_the_same_assignee_within_seven_days_only()
    {
        var r = New();
        r.Assign(7);
        r.Start(7);
        r.Resolve("x", Now);
        r.Reopen(Now.AddDays(7));
        Assert.Equal((RepairStatus.Assigned, 7L, 1), (r.Status, r.AssigneeId!.Value, r.ReopenCount));

        r.Start(7);
        r.Resolve("y", Now);
        Assert.Throws<ConflictException>(() => r.Reopen(Now.AddDays(7).AddMinutes(1)));
    }

    [Fact]
    public void Urging_is_limited_to_once_every_twelve_hours_while_open()
    {
        var r = New();
        r.Urge(Now);
        Assert.Throws<ConflictException>(() => r.Urge(Now.AddHours(11)));
        r.Urge(Now.AddHours(12));
        r.Cancel();
        Assert.Throws<ConflictException>(() => r.Urge(Now.AddDays(2)));
    }

    [Fact]
    public void Overdue_means_open_past_the_deadline()
    {
        var r = New();
        Assert.False(r.IsOverdue(Now.AddHours(23)));
        Assert.True(r.IsOverdue(Now.AddHours(25)));
        r.Assign(1);
        r.Start(1);
        r.Resolve("x", Now.AddHours(26));
        Assert.False(r.IsOverdue(Now.AddHours(27)));
        Assert.Equal("in_progress", Repair.Wire(RepairStatus.InProgress));
    }
}
