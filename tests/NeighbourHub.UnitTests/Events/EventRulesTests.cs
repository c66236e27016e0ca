using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using NeighbourHub.Web.Features.Events;
using NeighbourHub.Web.Features.Identity;

namespace NeighbourHub.UnitTests;

public sealed class EventRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 2, 0, 0, TimeSpan.Zero);

    private static CommunityEvent Event(EventStatus status = EventStatus.Published) => new()
    {
        Id = 7,
        Title = "百家宴",
        Status = status,
        StartsAt = Now.AddDays(2),
        EndsAt = Now.AddDays(2).AddHours(3),
        SignupOpensAt = Now.AddHours(-1),
        SignupClosesAt = Now.AddDays(1),
        Capacity = 10,
    };

    [Fact]
    public void Sign_up_is_open_only_inside_the_window_of_a_published_event()
    {
        Assert.Null(Event().WhySignupClosed(Now));
        Assert.True(Event().SignupOpen(Now));
        Assert.Contains("报名将于", Event().WhySignupClosed(Now.AddHours(-2)), StringComparison.Ordinal);
        Assert.Contains("报名已截止", Event().WhySignupClosed(Now.AddDays(1)), StringComparison.Ordinal);
        Assert.NotNull(Event(EventStatus.Draft).WhySignupClosed(Now));
        Assert.NotNull(Event(EventStatus.Cancelled).WhySignupClosed(Now));
        Assert.False(Event(EventStatus.Completed).SignupOpen(Now));
    }

    [Fact]
    public void The_cancel_deadline_defaults_to_the_start()
    {
        var e = Event();
        Assert.Equal(e.StartsAt, e.EffectiveCancelDeadline);
        e.CancelDeadline = e.StartsAt.AddHours(-24);
        Assert.Equal(e.StartsAt.AddHours(-24), e.EffectiveCancelDeadline);
    }

    [Fact]
    public void Event_input_is_checked_field_by_field()
    {
        var ok = new EventInput(null, 1, null, "百家宴", null, null, "广场", Now.AddDays(2), Now.AddDays(2).AddHours(2), Now, Now.AddDays(1), null, 30, false, true, 10, true);
        Assert.True(ok.Validate().IsValid);

        var bad = ok with { Title = " ", EndsAt = Now, Capacity = 0, IsVolunteer = false, PointsAwarded = 5, SignupOpensAt = Now.AddDays(3), BuildingId = 3, EstateId = null };
        var errors = bad.Validate().Errors;
        foreach (var field in new[] { "title", "endsAt", "capacity", "pointsAwarded", "signupOpensAt", "buildingId", "estateId" })
        {
            Assert.True(errors.ContainsKey(field), field);
        }
    }

    private static EventTickets Tickets(FakeTimeProvider clock)
    {
        var env = new FakeEnvironment();
        return new EventTickets(SigningKey.From(new JwtOptions { SigningKey = "unit-test-signing-key-0123456789abcdef" }, env), clock);
    }

    [Fact]
    public void Tickets_round_trip_and_expire_an_hour_after_the_event()
    {
        var clock = new FakeTimeProvider(Now);
        var tickets = Tickets(clock);
        var e = Event();
        var (payload, expires) = tickets.Issue(e, 42);
        Assert.Equal(e.EndsAt.AddHours(1), expires);

        var (ticket, error) = tickets.Read(payload);
        Assert.Null(error);
        Assert.Equal((7L, 42L), (ticket!.EventId, ticket.ResidentId));

        clock.SetUtcNow(expires);
        Assert.Contains("已过期", tickets.Read(payload).Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Any_altered_character_is_refused()
    {
        var tickets = Tickets(new FakeTimeProvider(Now));
        var (payload, _) = tickets.Issue(Event(), 42);
        for (var i = 0; i < payload.Length; i++)
        {
            var altered = payload[..i] + (payload[i] == 'x' ? 'y' : 'x') + payload[(i + 1)..];
            Assert.Null(tickets.Read(altered).Ticket);
        }

        // A ticket signed with another key is refused too.
        var other = new EventTickets(SigningKey.From(new JwtOptions { SigningKey = "another-signing-key-0123456789abcdefgh" }, new FakeEnvironment()), new FakeTimeProvider(Now));
        Assert.Null(other.Read(payload).Ticket);
    }

    private sealed class FakeEnvironment : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Testing";
        public string ApplicationName { get; set; } = "tests";
        public string ContentRootPath { get; set; } = "/";
        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = null!;
    }
}
