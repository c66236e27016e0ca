using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MySqlConnector;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Notifications;
using NeighbourHub.Web.Features.Residents;
using NeighbourHub.Web.Hosting;

namespace NeighbourHub.Web.Features.Events;

public sealed record SignupAnswer(SignupStatus Status, int? Position);

/// <summary>The desk's answer: who was checked in, named as the sign-up list names them (<see cref="SignupRow"/>).</summary>
public sealed record CheckinAnswer(long ResidentId, string Nickname, DateTimeOffset CheckedInAt, bool AlreadyCheckedIn, string Name, string? Flat);

public sealed record CompletionAnswer(int Attended, int NoShows, int PointsPerAttendee, int AttendeesCredited);

/// <summary>
/// The event rules that touch seats. Every method that changes seats or the waiting list runs in one
/// transaction that starts by locking the event row, so the seat count can never pass the capacity,
/// however many instances take sign-ups at once.
/// </summary>
public sealed class EventService(TimeProvider clock, EventTickets tickets, SignupGate gate, IOptions<DatabaseOptions> database)
{
    // The gate's record is a one-trip transaction (MariaDB); elsewhere (SQLite, one instance; MySQL) sign-ups take the database path.
    private readonly bool _gated = gate.Configured && OneTripTransaction.SupportedBy(database.Value);

    public async Task<CommunityEvent> CreateAsync(NeighbourHubDbContext db, EventInput input, CancellationToken ct)
    {
        var v = input.Validate();
        if (!v.IsValid)
        {
            throw new RequestValidationException(v);
        }

        var (communityId, estateId, buildingId) = await ResolvePlaceAsync(db, input, ct);
        var e = new CommunityEvent
        {
            CommunityId = communityId,
            EstateId = estateId,
            BuildingId = buildingId,
            Title = input.Title!.Trim(),
            Status = input.Publish == false ? EventStatus.Draft : EventStatus.Published,
            CreatedAt = clock.GetUtcNow(),
        };
        Apply(e, input);
        db.Events.Add(e);
        await db.SaveChangesAsync(ct);
        await WarmGateAsync(db, e, ct);
        return e;
    }

    /// <summary>
    /// Edits an event within the rules of creation (time order, limits), plus those of a running event: the place
    /// (community, estate, building) stays what residents signed up for, capacity never drops below the seats
    /// already confirmed (a larger one promotes the waiting list at once), and a change of time or place is told to
    /// everyone signed up or waiting, like a cancellation. Under the event's lock, so it never races a sign-up;
    /// the audit log records the row before and after (the context's audit, same transaction).
    /// </summary>
    public async Task<CommunityEvent> UpdateAsync(NeighbourHubDbContext db, long eventId, EventInput input, CancellationToken ct)
    {
        var v = input.Validate(placeRequired: false);
        if (!v.IsValid)
        {
            throw new RequestValidationException(v);
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var e = await LockAndLoadAsync(db, eventId, ct);
        if (e.Status is EventStatus.Cancelled or EventStatus.Completed)
        {
            throw new ConflictException($"活动当前为「{StatusTexts.Of(e.Status)}」，不能再修改。");
        }

        if (input.EstateId is { } estateId && estateId != e.EstateId
            || input.CommunityId is { } communityId && communityId != e.CommunityId
            || input.BuildingId is { } buildingId && buildingId != e.BuildingId)
        {
            throw new DomainValidationException("estateId", "活动面向的社区、小区或楼栋发布后不能更改；如需更换，请取消本活动后重新发布。");
        }

        if (input.Capacity < e.Confirmed)
        {
            throw new DomainValidationException("capacity", $"已有 {e.Confirmed} 位居民报名成功，名额不能少于 {e.Confirmed}。");
        }

        var (startsAt, endsAt, location) = (e.StartsAt, e.EndsAt, e.Location);
        e.Title = input.Title!.Trim();
        Apply(e, input);
        if (e.Status == EventStatus.Published && (Moved(e.StartsAt, startsAt) || Moved(e.EndsAt, endsAt) || e.Location != location))
        {
            await NotifyChangeAsync(db, e, ct);
        }

        await PromoteWhileSeatsAsync(db, e, ct); // a larger capacity lets the waiting list in at once
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        await WarmGateAsync(db, e, ct); // seats, window or queue may have moved: the gate is rebuilt from the database
        return e;
    }

    /// <summary>A real move, not the database's rounding of the stored instant (MariaDB keeps microseconds, .NET ticks).</summary>
    private static bool Moved(DateTimeOffset now, DateTimeOffset before) => Math.Abs((now - before).TotalSeconds) >= 1;

    /// <summary>Tells everyone holding a seat or waiting that the time or place moved; one message per person and edit.</summary>
    private async Task NotifyChangeAsync(NeighbourHubDbContext db, CommunityEvent e, CancellationToken ct)
    {
        var people = await db.EventSignups.Unscoped(Because.EventSeatsAreShared)
            .Where(s => s.EventId == e.Id && s.Status != SignupStatus.Cancelled).Select(s => s.ResidentId).ToListAsync(ct);
        foreach (var residentId in people)
        {
            // LockVersion moved when this edit took the lock: the key is new for every edit, stable for its retries.
            await Outbox.EnqueueAsync(db, OutboxTopics.SubscribeMessage, $"event-changed:{e.Id}:{residentId}:{e.LockVersion}",
                new SubscribeMessagePayload(residentId, "event.changed", $"pages/events/detail?id={e.Id}",
                    new Dictionary<string, string>
                    {
                        ["thing1"] = Short(e.Title),
                        ["time2"] = e.StartsAt.Show(),
                        ["thing3"] = Short(string.IsNullOrEmpty(e.Location) ? "地点见活动详情" : e.Location),
                        ["thing4"] = "活动时间或地点有变动",
                    }), clock, ct);
        }
    }

    private static void Apply(CommunityEvent e, EventInput input)
    {
        e.Description = input.Description?.Trim() ?? "";
        e.CoverImageUrl = string.IsNullOrWhiteSpace(input.CoverImageUrl) ? null : input.CoverImageUrl.Trim();
        e.Location = input.Location?.Trim() ?? "";
        e.StartsAt = input.StartsAt!.Value.ToUniversalTime();
        e.EndsAt = input.EndsAt!.Value.ToUniversalTime();
        e.SignupOpensAt = input.SignupOpensAt!.Value.ToUniversalTime();
        e.SignupClosesAt = input.SignupClosesAt!.Value.ToUniversalTime();
        e.CancelDeadline = input.CancelDeadline?.ToUniversalTime();
        e.Capacity = input.Capacity!.Value;
        e.VerifiedOnly = input.VerifiedOnly ?? false;
        e.IsVolunteer = input.IsVolunteer ?? false;
        e.PointsAwarded = e.IsVolunteer ? input.PointsAwarded ?? 0 : 0;
    }

    /// <summary>The community, estate and building the event is for, each within the caller's scope.</summary>
    private static async Task<(long Community, long? Estate, long? Building)> ResolvePlaceAsync(NeighbourHubDbContext db, EventInput input, CancellationToken ct)
    {
        if (input.EstateId is { } estateId)
        {
            var estate = await db.Estates.SingleOrDefaultAsync(x => x.Id == estateId, ct)
                ?? throw new DomainValidationException("estateId", "找不到这个小区，或它不在您的管理范围内。");
            if (input.BuildingId is { } buildingId && !await db.Buildings.AnyAsync(b => b.Id == buildingId && b.EstateId == estateId, ct))
            {
                throw new DomainValidationException("buildingId", "该小区没有这个楼栋。");
            }

            return (estate.CommunityId, estate.Id, input.BuildingId);
        }

        var communityId = input.CommunityId!.Value;
        if (!db.Scope.Value.Unrestricted && !db.Scope.Value.Has(Identity.AdminRole.CommunityAdmin)
            || !await db.Communities.AnyAsync(c => c.Id == communityId, ct))
        {
            throw new DomainValidationException("communityId", "全社区活动只能由该社区的管理员创建。");
        }

        return (communityId, null, null);
    }

    public async Task<CommunityEvent> SetPublishedAsync(NeighbourHubDbContext db, long eventId, CancellationToken ct)
    {
        var e = await db.Events.SingleOrDefaultAsync(x => x.Id == eventId, ct) ?? throw new NotFoundException("活动");
        if (e.Status != EventStatus.Draft)
        {
            throw new ConflictException($"只有草稿才能发布，该活动当前为「{StatusTexts.Of(e.Status)}」。");
        }

        e.Status = EventStatus.Published;
        await db.SaveChangesAsync(ct);
        await WarmGateAsync(db, e, ct);
        return e;
    }

    /// <summary>Cancels the event and tells everyone who holds a seat or waits for one.</summary>
    public async Task<int> CancelEventAsync(NeighbourHubDbContext db, long eventId, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var e = await LockAndLoadAsync(db, eventId, ct);
        if (e.Status is EventStatus.Cancelled or EventStatus.Completed)
        {
            throw new ConflictException($"活动当前为「{StatusTexts.Of(e.Status)}」，不能再取消。");
        }

        e.Status = EventStatus.Cancelled;
        var people = await db.EventSignups.Unscoped(Because.EventSeatsAreShared)
            .Where(s => s.EventId == eventId && s.Status != SignupStatus.Cancelled).Select(s => s.ResidentId).ToListAsync(ct);
        foreach (var residentId in people)
        {
            await Outbox.EnqueueAsync(db, OutboxTopics.SubscribeMessage, $"event-cancelled:{eventId}:{residentId}",
                new SubscribeMessagePayload(residentId, "event.cancelled", $"pages/events/detail?id={eventId}",
                    new Dictionary<string, string> { ["thing1"] = Short(e.Title), ["thing2"] = "活动已取消" }), clock, ct);
        }

        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return people.Count;
    }

    /// <summary>Takes a seat while one is free, else a waiting-list ticket; a repeat answers the same.</summary>
    public async Task<SignupAnswer> SignUpAsync(NeighbourHubDbContext db, long eventId, long residentId, CancellationToken ct) =>
        (await SignUpOutcomeAsync(db, eventId, residentId, ct)).Answer;

    /// <summary>
    /// A sign-up and whether it created one (false for a repeat). Through the Redis gate when there is one
    /// (ADR 0011): the gate decides in one atomic script, MariaDB records the decision under conditions that
    /// reject a wrong one. Whenever the gate is missing, lost or refused twice, the database path decides alone.
    /// </summary>
    public async Task<(SignupAnswer Answer, bool Created)> SignUpOutcomeAsync(NeighbourHubDbContext db, long eventId, long residentId, CancellationToken ct)
    {
        var outcome = _gated && await SignUpThroughGateAsync(db, eventId, residentId, ct) is { } gated
            ? gated
            : await SignUpInDatabaseAsync(db, eventId, residentId, ct);
        if (outcome.Created)
        {
            // Counted here, where the gate's path and the database's meet, once per sign-up that took a row.
            ProductMetrics.EventSignup(outcome.Answer.Status == SignupStatus.Confirmed);
        }

        return outcome;
    }

    private async Task<(SignupAnswer Answer, bool Created)?> SignUpThroughGateAsync(NeighbourHubDbContext db, long eventId, long residentId, CancellationToken ct)
    {
        var eligible = false;
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var d = await gate.AdmitAsync(eventId, residentId, clock.GetUtcNow(), eligible);
            if (d.Outcome != GateOutcome.Admitted)
            {
                // Every other step reads the database through the tenancy filters: the caller's scope first (deferred
                // on this endpoint, ScopeOnDemand; resolved once).
                await db.Scope.ResolveAsync(ct);
            }

            switch (d.Outcome)
            {
                case GateOutcome.CheckEligibility:
                    // Verified-only events: visible and open to this resident only as the tenancy rules and the residence say.
                    var e = await db.Events.AsNoTracking().SingleOrDefaultAsync(x => x.Id == eventId, ct) ?? throw new NotFoundException("活动");
                    await EnsureEligibleAsync(db, e, residentId, ct);
                    eligible = true;
                    continue;
                case GateOutcome.Missing:
                    if (!await RebuildGateAsync(db, eventId, ct))
                    {
                        return null;
                    }

                    continue;
                case GateOutcome.Repeat:
                    // The gate remembers a decision for this resident. It holds while nothing bypassed the gate since
                    // (a cancellation, promotion or edit moves the generation) and while the database has the row:
                    // the request that got the decision may have died before recording it, and this is its retry.
                    var seen = await SeenAsync(db, eventId, residentId, ct);
                    if (seen?.Generation != d.Generation)
                    {
                        break;
                    }

                    if (seen.Status is { } held)
                    {
                        if (Matches(d, held, seen.Ticket))
                        {
                            await gate.SettleAsync(eventId, residentId);
                            return (GateAnswer(d), false);
                        }

                        break;
                    }

                    if (await RecordAsync(db, eventId, residentId, d, ct) is { } recordedNow)
                    {
                        return (GateAnswer(d), recordedNow);
                    }

                    break;
                case GateOutcome.Admitted:
                    if (await RecordAsync(db, eventId, residentId, d, ct) is { } created)
                    {
                        return (GateAnswer(d), created);
                    }

                    break;
                case GateOutcome.Stale:
                    break; // dropped below; the next attempt rebuilds from the database
                default:
                    return null; // no gate, or a closed window: the database path answers (and says why)
            }

            // The database disagreed with the gate: its state is stale or was lost. Drop it; the next attempt rebuilds it.
            await gate.DropAsync(eventId, d.Generation);
        }

        return null;
    }

    private static SignupAnswer GateAnswer(GateDecision d) =>
        new(d.Status, d.Status == SignupStatus.Waitlisted ? d.Position : null);

    // The gate's decision, recorded in one round trip as one transaction (OneTripTransaction: the event row is locked
    // for the server's microseconds, not across the app's round trips, so a burst is not paced by them). The event row's update comes first
    // (its lock orders everything that touches this event's seats) and carries every condition the database can judge
    // by itself: still published, inside the window, the generation the gate decided from, and a free seat. (A ticket
    // is not checked against "no seat free": seats the gate gave may not be recorded yet; within one generation the
    // gate's count is the truth, and the seats condition alone keeps it from overselling.) The insert is refused by the
    // unique (event, resident) and (event, ticket) keys. Both must write a row, or the transaction is rolled back and
    // nothing changed.
    private static readonly string RecordSeatSql = OneTripTransaction.Sql("""
        UPDATE `Events` SET `Confirmed` = `Confirmed` + 1
        WHERE `Id` = @event AND `LockVersion` = @generation AND `Status` = 'Published' AND `SignupOpensAt` <= @now AND @now < `SignupClosesAt`
          AND `Confirmed` < `Capacity`;
        IF ROW_COUNT() = 1 THEN
          INSERT IGNORE INTO `EventSignups` (`EventId`, `ResidentId`, `Status`, `WaitlistTicket`, `SignedUpAt`, `NoShow`)
          VALUES (@event, @resident, 'Confirmed', NULL, @signedUpAt, FALSE);
          SET ok = ROW_COUNT();
        END IF;
        """);

    private static readonly string RecordTicketSql = OneTripTransaction.Sql("""
        UPDATE `Events` SET `Waitlisted` = `Waitlisted` + 1, `WaitlistSeq` = GREATEST(`WaitlistSeq`, @ticket)
        WHERE `Id` = @event AND `LockVersion` = @generation AND `Status` = 'Published' AND `SignupOpensAt` <= @now AND @now < `SignupClosesAt`;
        IF ROW_COUNT() = 1 THEN
          INSERT IGNORE INTO `EventSignups` (`EventId`, `ResidentId`, `Status`, `WaitlistTicket`, `SignedUpAt`, `NoShow`)
          VALUES (@event, @resident, 'Waitlisted', @ticket, @signedUpAt, FALSE);
          SET ok = ROW_COUNT();
        END IF;
        """);

    /// <summary>
    /// Records the gate's decision: true when this call wrote it, false when it was already in the database (the
    /// resident's other request recorded the same decision first), null when the database refused it.
    /// </summary>
    private async Task<bool?> RecordAsync(NeighbourHubDbContext db, long eventId, long residentId, GateDecision d, CancellationToken ct)
    {
        // The window is judged by this instance's clock, as everywhere else; the sign-up's time is when the gate decided
        // (one clock for all instances, so the recorded times follow the order of the waiting list).
        var now = clock.GetUtcNow();
        object[] parameters =
        [
            new MySqlParameter("@event", eventId), new MySqlParameter("@generation", d.Generation), new MySqlParameter("@resident", residentId),
            new MySqlParameter("@now", now.UtcDateTime), new MySqlParameter("@signedUpAt", (d.DecidedAt ?? now).UtcDateTime),
            new MySqlParameter("@ticket", d.Ticket ?? 0),
        ];
        if (await OneTripTransaction.RunAsync(db, d.Status == SignupStatus.Confirmed ? RecordSeatSql : RecordTicketSql, parameters, ct))
        {
            await gate.SettleAsync(eventId, residentId);
            return true;
        }

        await db.Scope.ResolveAsync(ct);
        var seen = await SeenAsync(db, eventId, residentId, ct);
        if (seen is { Status: { } held } && seen.Generation == d.Generation && Matches(d, held, seen.Ticket))
        {
            await gate.SettleAsync(eventId, residentId);
            return false;
        }

        return null;
    }

    private sealed record Seen(int Generation, SignupStatus? Status, int? Ticket);

    /// <summary>The event's generation and the resident's sign-up as the database has them, in one indexed read without a lock.</summary>
    private static Task<Seen?> SeenAsync(NeighbourHubDbContext db, long eventId, long residentId, CancellationToken ct) =>
        (from e in db.Events
         where e.Id == eventId
         from s in db.EventSignups.Where(s => s.EventId == e.Id && s.ResidentId == residentId).DefaultIfEmpty()
         select new Seen(e.LockVersion, s == null ? null : s.Status, s == null ? null : s.WaitlistTicket))
        .AsNoTracking().SingleOrDefaultAsync(ct);

    /// <summary>Whether the database's row is the gate's decision (a seat, or the same waiting-list ticket).</summary>
    private static bool Matches(GateDecision d, SignupStatus status, int? ticket) =>
        status == d.Status && (d.Status == SignupStatus.Confirmed || ticket == d.Ticket);

    /// <summary>
    /// Reads the event's seats and live sign-ups under its lock, moving the generation (so a decision made from any
    /// older gate state can no longer be recorded), and installs them in the gate. One rebuild at a time per event;
    /// the others wait for it briefly, then take the database path.
    /// </summary>
    private async Task<bool> RebuildGateAsync(NeighbourHubDbContext db, long eventId, CancellationToken ct, bool force = false)
    {
        if (!gate.Connected)
        {
            return false;
        }

        if (!await gate.TryTakeRebuildAsync(eventId))
        {
            // Waiting is cheaper than the database path here: each database-path sign-up moves the generation and
            // voids the state being built, so impatient requests would keep the gate cold for the whole burst.
            for (var i = 0; i < 100; i++)
            {
                await Task.Delay(20, ct);
                if (await gate.ExistsAsync(eventId))
                {
                    return true;
                }
            }

            return false;
        }

        try
        {
            if (!force && await gate.ExistsAsync(eventId))
            {
                return true; // rebuilt by another request between our miss and our turn
            }

            GateSnapshot snapshot;
            await using (var tx = await db.Database.BeginTransactionAsync(ct))
            {
                var published = db.Events.Unscoped(Because.EventSeatsAreShared).Where(x => x.Id == eventId && x.Status == EventStatus.Published);
                if (await published.ExecuteUpdateAsync(u => u.SetProperty(x => x.LockVersion, x => x.LockVersion + 1), ct) == 0)
                {
                    return false; // drafts, cancelled and finished events: the database path says why
                }

                var e = await published.AsNoTracking().SingleAsync(ct);
                var rows = await db.EventSignups.Unscoped(Because.EventSeatsAreShared).AsNoTracking()
                    .Where(s => s.EventId == eventId)
                    .Select(s => new { s.ResidentId, s.Status, s.WaitlistTicket }).ToListAsync(ct);
                await tx.CommitAsync(ct);
                snapshot = new GateSnapshot(e.LockVersion, e.Capacity, e.Confirmed, e.WaitlistSeq, e.SignupOpensAt, e.SignupClosesAt, e.VerifiedOnly,
                    rows.Select(s => (s.ResidentId, s.Status, s.WaitlistTicket)).ToList());
            }

            return await gate.InstallAsync(eventId, snapshot);
        }
        finally
        {
            await gate.ReleaseRebuildAsync(eventId);
        }
    }

    /// <summary>
    /// Builds the gate's state as soon as an event opens, and again right after a write that bypassed it (cancellation,
    /// promotion, edit), so a burst finds it warm instead of every request missing it at once. Best effort: without
    /// Redis the next sign-up simply takes the database path.
    /// </summary>
    private async Task WarmGateAsync(NeighbourHubDbContext db, CommunityEvent e, CancellationToken ct)
    {
        if (e.Status == EventStatus.Published && _gated)
        {
            await RebuildGateAsync(db, e.Id, ct, force: true);
        }
    }

    /// <summary>
    /// The database path, with no gate or when the gate is lost: the checks that only read (window,
    /// eligibility, an existing sign-up) run before the transaction; inside it, the seat is taken by a
    /// conditional update (<c>Confirmed &lt; Capacity</c>) that also locks the event row until commit,
    /// so the locked section is two or three statements long and the count can never pass the capacity.
    /// It moves the generation: the gate never records a decision made before a write it did not see.
    /// </summary>
    private async Task<(SignupAnswer Answer, bool Created)> SignUpInDatabaseAsync(NeighbourHubDbContext db, long eventId, long residentId, CancellationToken ct)
    {
        // Deferred on the sign-up endpoint (ScopeOnDemand); every query below goes through the tenancy filters.
        await db.Scope.ResolveAsync(ct);
        var existing = await db.EventSignups.AsNoTracking().SingleOrDefaultAsync(s => s.EventId == eventId && s.ResidentId == residentId, ct);
        if (existing is { Status: not SignupStatus.Cancelled })
        {
            return (await AnswerAsync(db, existing, ct), false); // a repeat answers the same, without touching seats
        }

        var e = await db.Events.AsNoTracking().SingleOrDefaultAsync(x => x.Id == eventId, ct) ?? throw new NotFoundException("活动");
        if (e.WhySignupClosed(clock.GetUtcNow()) is { } why)
        {
            throw new ConflictException(why);
        }

        await EnsureEligibleAsync(db, e, residentId, ct);

        EventSignup signup;
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            var open = db.Events.Where(x => x.Id == eventId && x.Status == EventStatus.Published);
            var seated = await open.Where(x => x.Confirmed < x.Capacity)
                .ExecuteUpdateAsync(u => u.SetProperty(x => x.Confirmed, x => x.Confirmed + 1).SetProperty(x => x.LockVersion, x => x.LockVersion + 1), ct) == 1;
            int? ticket = null;
            if (!seated)
            {
                if (await open.ExecuteUpdateAsync(u => u.SetProperty(x => x.WaitlistSeq, x => x.WaitlistSeq + 1)
                        .SetProperty(x => x.Waitlisted, x => x.Waitlisted + 1).SetProperty(x => x.LockVersion, x => x.LockVersion + 1), ct) == 0)
                {
                    throw new ConflictException("活动已停止报名。");
                }

                // Our own update is visible to us, and the row stays locked until commit: the ticket is ours alone.
                ticket = await db.Events.Where(x => x.Id == eventId).Select(x => x.WaitlistSeq).SingleAsync(ct);
            }

            var now = clock.GetUtcNow();
            if (existing is null)
            {
                signup = new EventSignup { EventId = eventId, ResidentId = residentId };
                db.EventSignups.Add(signup);
            }
            else
            {
                signup = existing;
                db.EventSignups.Attach(signup);
                signup.CancelledAt = null;
                signup.PromotedAt = null;
                signup.CheckedInAt = null;
                signup.NoShow = false;
            }

            signup.Status = seated ? SignupStatus.Confirmed : SignupStatus.Waitlisted;
            signup.WaitlistTicket = ticket;
            signup.SignedUpAt = now;
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException) when (existing is null)
            {
                // The same resident's other request inserted first (unique EventId+ResidentId): give back
                // what this one took and answer what that one got.
                await tx.RollbackAsync(ct);
                db.ChangeTracker.Clear();
                var winner = await db.EventSignups.AsNoTracking().SingleAsync(s => s.EventId == eventId && s.ResidentId == residentId, ct);
                return (await AnswerAsync(db, winner, ct), false);
            }

            await tx.CommitAsync(ct);
        }

        return (await AnswerAsync(db, signup, ct), true);
    }

    /// <summary>Frees a seat (before the cancellation deadline) or leaves the waiting list; the first in line is promoted at once.</summary>
    public async Task<SignupAnswer> CancelSignupAsync(NeighbourHubDbContext db, long eventId, long residentId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var e = await LockAndLoadAsync(db, eventId, ct);
        var signup = await db.EventSignups.SingleOrDefaultAsync(s => s.EventId == eventId && s.ResidentId == residentId, ct);
        if (signup is null or { Status: SignupStatus.Cancelled })
        {
            throw new ConflictException("您没有报名这个活动。");
        }

        if (e.Status != EventStatus.Published)
        {
            throw new ConflictException($"活动当前为「{StatusTexts.Of(e.Status)}」，报名不能再更改。");
        }

        if (signup.Status == SignupStatus.Confirmed)
        {
            if (now >= e.EffectiveCancelDeadline)
            {
                throw new ConflictException($"取消报名已于 {e.EffectiveCancelDeadline.Show()} 截止，如需取消请联系活动组织者。");
            }

            e.Confirmed--;
        }
        else
        {
            e.Waitlisted--;
        }

        signup.Status = SignupStatus.Cancelled;
        signup.CancelledAt = now;
        signup.WaitlistTicket = null;
        await db.SaveChangesAsync(ct);
        await PromoteWhileSeatsAsync(db, e, ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        await WarmGateAsync(db, e, ct); // a seat freed or someone promoted: the gate is rebuilt from the database
        return new SignupAnswer(SignupStatus.Cancelled, null);
    }

    /// <summary>Fills free seats from the waiting list in ticket order; the caller holds the event lock.</summary>
    private async Task PromoteWhileSeatsAsync(NeighbourHubDbContext db, CommunityEvent e, CancellationToken ct)
    {
        var free = e.Capacity - e.Confirmed;
        if (free <= 0 || e.Status != EventStatus.Published)
        {
            return;
        }

        var next = await db.EventSignups.Unscoped(Because.EventSeatsAreShared)
            .Where(s => s.EventId == e.Id && s.Status == SignupStatus.Waitlisted)
            .OrderBy(s => s.WaitlistTicket).Take(free).ToListAsync(ct);
        var now = clock.GetUtcNow();
        foreach (var s in next)
        {
            // The ticket stays on the row: it shows who was promoted in which order.
            s.Status = SignupStatus.Confirmed;
            s.PromotedAt = now;
            e.Confirmed++;
            e.Waitlisted--;
            await Outbox.EnqueueAsync(db, OutboxTopics.SubscribeMessage, $"event-promoted:{e.Id}:{s.ResidentId}:{now.ToUnixTimeMilliseconds()}",
                new SubscribeMessagePayload(s.ResidentId, "event.promoted", $"pages/events/detail?id={e.Id}",
                    new Dictionary<string, string> { ["thing1"] = Short(e.Title), ["thing2"] = "候补成功，已为您保留名额" }), clock, ct);
        }
    }

    public async Task<(string Payload, DateTimeOffset ExpiresAt)> TicketAsync(NeighbourHubDbContext db, long eventId, long residentId, CancellationToken ct)
    {
        var e = await db.Events.AsNoTracking().SingleOrDefaultAsync(x => x.Id == eventId, ct) ?? throw new NotFoundException("活动");
        var signup = await db.EventSignups.AsNoTracking().SingleOrDefaultAsync(s => s.EventId == eventId && s.ResidentId == residentId, ct);
        if (signup?.Status != SignupStatus.Confirmed)
        {
            throw new ConflictException("只有报名成功（不含候补）的居民才能领取签到码。");
        }

        if (e.Status is EventStatus.Cancelled or EventStatus.Completed)
        {
            throw new ConflictException($"活动当前为「{StatusTexts.Of(e.Status)}」，不能领取签到码。");
        }

        return tickets.Issue(e, residentId);
    }

    /// <summary>Checks a resident in by ticket; checking in twice is harmless and says so.</summary>
    public async Task<CheckinAnswer> CheckInByTicketAsync(NeighbourHubDbContext db, long eventId, string payload, CancellationToken ct)
    {
        var (ticket, error) = tickets.Read(payload);
        if (ticket is null)
        {
            throw new DomainValidationException("qrPayload", error!);
        }

        if (ticket.EventId != eventId)
        {
            throw new DomainValidationException("qrPayload", "这是其他活动的签到码。");
        }

        return await CheckInAsync(db, eventId, ticket.ResidentId, ct);
    }

    /// <summary>Checks a confirmed resident in (by ticket, or found by name at the desk).</summary>
    public async Task<CheckinAnswer> CheckInAsync(NeighbourHubDbContext db, long eventId, long residentId, CancellationToken ct)
    {
        var e = await db.Events.AsNoTracking().SingleOrDefaultAsync(x => x.Id == eventId, ct) ?? throw new NotFoundException("活动");
        if (e.Status != EventStatus.Published)
        {
            throw new ConflictException($"活动当前为「{StatusTexts.Of(e.Status)}」，签到已关闭。");
        }

        var signup = await db.EventSignups.SingleOrDefaultAsync(s => s.EventId == eventId && s.ResidentId == residentId, ct);
        if (signup?.Status != SignupStatus.Confirmed)
        {
            throw new ConflictException("这位居民没有报名成功的名额。");
        }

        var already = signup.CheckedInAt is not null;
        if (!already)
        {
            signup.CheckedInAt = clock.StorableNow();
            signup.CheckedInByAdminId = db.Scope.Value.AdminUserId;
            await db.SaveChangesAsync(ct);
        }

        var who = await EventQueries.SignupAsync(db, eventId, residentId, ct) ?? throw new NotFoundException("报名");
        return new CheckinAnswer(residentId, who.Nickname, signup.CheckedInAt!.Value, already, who.Name, who.Flat);
    }

    /// <summary>
    /// Makes attendance final: no-shows are marked and, for volunteer events, each attendee's points are
    /// published once (the outbox key is per event and resident) for the time bank. Pressing it again
    /// answers the same summary and credits nothing twice.
    /// </summary>
    public async Task<CompletionAnswer> CompleteAsync(NeighbourHubDbContext db, long eventId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var e = await LockAndLoadAsync(db, eventId, ct);
        if (e.Status == EventStatus.Published)
        {
            if (now < e.StartsAt)
            {
                throw new ConflictException("活动开始后才能确认出勤。");
            }

            e.Status = EventStatus.Completed;
            e.CompletedAt = now;
            var confirmed = await db.EventSignups.Unscoped(Because.EventSeatsAreShared)
                .Where(s => s.EventId == eventId && s.Status == SignupStatus.Confirmed).ToListAsync(ct);
            foreach (var s in confirmed)
            {
                s.NoShow = s.CheckedInAt is null;
                if (!s.NoShow && e.IsVolunteer && e.PointsAwarded > 0)
                {
                    await Outbox.EnqueueAsync(db, OutboxTopics.EventAttended, $"events.attended:{e.Id}:{s.ResidentId}",
                        new EventAttendedPayload(e.Id, e.CommunityId, s.ResidentId, e.PointsAwarded, now), clock, ct);
                }
            }

            db.Audit("event.complete", nameof(CommunityEvent), e.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await db.SaveChangesAsync(ct);
        }
        else if (e.Status != EventStatus.Completed)
        {
            throw new ConflictException($"活动当前为「{StatusTexts.Of(e.Status)}」，不能确认出勤。");
        }

        var answer = await SummaryAsync(db, e, ct);
        await tx.CommitAsync(ct);
        return answer;
    }

    private static async Task<CompletionAnswer> SummaryAsync(NeighbourHubDbContext db, CommunityEvent e, CancellationToken ct)
    {
        var rows = await db.EventSignups.Unscoped(Because.EventSeatsAreShared)
            .Where(s => s.EventId == e.Id && s.Status == SignupStatus.Confirmed)
            .GroupBy(s => s.NoShow).Select(g => new { NoShow = g.Key, Count = g.Count() }).ToListAsync(ct);
        var attended = rows.Where(r => !r.NoShow).Sum(r => r.Count);
        var credited = e.IsVolunteer && e.PointsAwarded > 0 ? attended : 0;
        return new CompletionAnswer(attended, rows.Where(r => r.NoShow).Sum(r => r.Count), e.PointsAwarded, credited);
    }

    /// <summary>Takes the event row's lock (first statement of the transaction) and loads it; 404 outside the scope.</summary>
    private static async Task<CommunityEvent> LockAndLoadAsync(NeighbourHubDbContext db, long eventId, CancellationToken ct)
    {
        var locked = await db.Events.Where(x => x.Id == eventId)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.LockVersion, x => x.LockVersion + 1), ct);
        if (locked == 0)
        {
            throw new NotFoundException("活动");
        }

        return await db.Events.SingleAsync(x => x.Id == eventId, ct);
    }

    private static async Task EnsureEligibleAsync(NeighbourHubDbContext db, CommunityEvent e, long residentId, CancellationToken ct)
    {
        if (!e.VerifiedOnly)
        {
            return;
        }

        var approved = db.Residences.Unscoped(Because.ResidentsOwnHomes).Where(r => r.ResidentId == residentId && r.Status == ResidenceStatus.Approved);
        var eligible = e.BuildingId is { } buildingId
            ? await approved.AnyAsync(r => db.Households.Unscoped(Because.ResidentsOwnHomes).Any(h => h.Id == r.HouseholdId && h.BuildingId == buildingId), ct)
            : e.EstateId is { } estateId
                ? await approved.AnyAsync(r => r.EstateId == estateId, ct)
                : await approved.AnyAsync(r => db.Estates.Unscoped(Because.ResidentsOwnHomes).Any(x => x.Id == r.EstateId && x.CommunityId == e.CommunityId), ct);
        if (!eligible)
        {
            throw new ForbiddenException("此活动仅限活动范围内已认证的住户报名，请先在“我的房屋”中申请住户认证。");
        }
    }

    /// <summary>The answer for a live sign-up: confirmed, or waitlisted with the current place in line.</summary>
    public static async Task<SignupAnswer> AnswerAsync(NeighbourHubDbContext db, EventSignup s, CancellationToken ct)
    {
        if (s.Status != SignupStatus.Waitlisted)
        {
            return new SignupAnswer(s.Status, null);
        }

        var ahead = await db.EventSignups.Unscoped(Because.EventSeatsAreShared)
            .CountAsync(o => o.EventId == s.EventId && o.Status == SignupStatus.Waitlisted && o.WaitlistTicket < s.WaitlistTicket, ct);
        return new SignupAnswer(s.Status, ahead + 1);
    }

    /// <summary>Subscribe-message "thing" values allow 20 characters.</summary>
    private static string Short(string s) => s.Clip(20);
}
