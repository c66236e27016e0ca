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
        Assert.Contains("只有「已派单」的报修单才能开始处理", Assert.Throws<ConflictException>(() => r.Start(7)).Message, StringComparison.Ordinal);
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

public sealed class RepairDeadlineAndFeedRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 2, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Escalation_is_due_at_the_deadline_and_again_after_as_long_as_was_allowed()
    {
        var r = new Repair { Description = "电梯", CreatedAt = Now, DeadlineAt = Now.AddHours(4) };
        Assert.Equal(0, r.DueEscalationLevel(Now.AddHours(4)));
        Assert.Equal(1, r.DueEscalationLevel(Now.AddHours(4).AddSeconds(1)));
        Assert.Equal(1, r.DueEscalationLevel(Now.AddHours(8)));
        Assert.Equal(2, r.DueEscalationLevel(Now.AddHours(8).AddSeconds(1)));
        r.Assign(7);
        r.Start(7);
        r.Resolve("好了", Now.AddHours(9));
        Assert.Equal(0, r.DueEscalationLevel(Now.AddDays(3))); // resolved: nothing to chase
    }

    [Fact]
    public void Reopening_gives_a_fresh_deadline_and_clears_the_escalation()
    {
        var r = new Repair { Description = "漏水", CreatedAt = Now, DeadlineAt = Now.AddHours(24), EscalationLevel = 2 };
        r.Assign(7);
        r.Start(7);
        r.Resolve("x", Now.AddHours(50));
        r.Reopen(Now.AddHours(60), TimeSpan.FromHours(24));
        Assert.Equal((Now.AddHours(84), 0), (r.DeadlineAt, r.EscalationLevel));
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xE1 }, "image/jpeg")]
    [InlineData(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0 }, "image/png")]
    [InlineData(new byte[] { 0x52, 0x49, 0x46, 0x46, 1, 2, 3, 4, 0x57, 0x45, 0x42, 0x50 }, "image/webp")]
    [InlineData(new byte[] { 0x52, 0x49, 0x46, 0x46, 1, 2, 3, 4, 0x57, 0x41, 0x56, 0x45 }, null)] // RIFF WAVE audio
    [InlineData(new byte[] { 0x47, 0x49, 0x46, 0x38, 0x39, 0x61 }, null)] // GIF is not accepted
    [InlineData(new byte[] { 0x3C, 0x73, 0x76, 0x67 }, null)] // <svg
    [InlineData(new byte[] { 0xFF, 0xD8 }, null)] // too short to tell
    public void Image_types_come_from_the_first_bytes(byte[] head, string? expected) =>
        Assert.Equal(expected, NeighbourHub.Web.Features.Files.ImageSniffer.ContentTypeOf(head));

    [Theory]
    [InlineData("楼道灯坏了，电话13812345678", "楼道灯坏了，电话***********")]
    [InlineData("3栋2单元 1201 门口", "3栋2单元 1201 门口")]
    [InlineData("座机 0772-2880000", "座机 0772-*******")]
    public void The_public_feed_masks_phone_like_numbers(string text, string shown) =>
        Assert.Equal(shown, Open311Api.MaskNumbers(text));
}
