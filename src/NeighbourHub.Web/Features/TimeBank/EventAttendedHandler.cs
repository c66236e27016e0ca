using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Notifications;
using NeighbourHub.Web.Tenancy;

namespace NeighbourHub.Web.Features.TimeBank;

/// <summary>Credits the points an event's completion published; the ledger's source reference makes a redelivery harmless.</summary>
public sealed class EventAttendedHandler(IDbContextFactory<NeighbourHubDbContext> contexts, TimeBankService timeBank) : IOutboxHandler
{
    public string Topic => OutboxTopics.EventAttended;

    public async Task<string> HandleAsync(OutboxMessage message, CancellationToken ct)
    {
        var attended = Outbox.Read<EventAttendedPayload>(message);
        await using var db = contexts.CreateDbContext();
        db.Scope = CurrentScope.For(AccessScope.System);
        await timeBank.CreditEventAttendanceAsync(db, attended.EventId, attended.CommunityId, attended.ResidentId, attended.Points, ct);
        return "credited";
    }
}
