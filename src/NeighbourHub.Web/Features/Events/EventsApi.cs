using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Hosting;
using NeighbourHub.Web.Tenancy;

namespace NeighbourHub.Web.Features.Events;

public sealed record MySignupView(SignupStatus Status, int? Position, DateTimeOffset? CheckedInAt);

public sealed record EventView(
    long Id, string Title, string Description, string? CoverImageUrl, string Location,
    DateTimeOffset StartsAt, DateTimeOffset EndsAt, DateTimeOffset SignupOpensAt, DateTimeOffset SignupClosesAt, DateTimeOffset CancelDeadline,
    int Capacity, int Confirmed, int Waitlisted, bool SignupOpen, bool VerifiedOnly, bool IsVolunteer, int PointsAwarded,
    EventStatus Status, long CommunityId, long? EstateId, long? BuildingId, MySignupView? MySignup);

/// <summary>
/// One sign-up as staff see it. <c>Name</c> is the person as the desk knows them: the real name from their approved
/// residence (the one in the event's estate first), full for the staff who verify residents and masked for everyone
/// else, as on the roster; the WeChat nickname only for a resident with no approved residence. <c>Flat</c> is that
/// residence's address (1栋1单元101), null without one.
/// </summary>
public sealed record SignupRow(long ResidentId, string Nickname, string? PhoneMasked, SignupStatus Status, int? WaitlistTicket,
    DateTimeOffset SignedUpAt, DateTimeOffset? PromotedAt, DateTimeOffset? CheckedInAt, bool NoShow, string Name, string? Flat);

public sealed record CheckinRequest(string? QrPayload, long? ResidentId);

public sealed record TicketAnswer(string QrPayload, DateTimeOffset ExpiresAt);

public sealed record CreatedId(long Id);

/// <summary>An event called off: how many signed-up residents were told.</summary>
public sealed record EventCancelled(int Notified);

public static class EventsApi
{
    public static IEndpointRouteBuilder MapEventsApi(this IEndpointRouteBuilder app)
    {
        var residents = app.MapGroup("/api/v1/events").WithTags("Events").RequireAuthorization(Policies.Resident);
        residents.MapGet("/", List);
        residents.MapGet("/{id:long}", Get);
        // Through the gate an open event's sign-up needs only the caller's id: the scope is resolved when a step needs it.
        residents.MapPost("/{id:long}/signups", SignUp).WithMetadata(ScopeOnDemand.Instance);
        residents.MapDelete("/{id:long}/signups/me", Cancel);
        residents.MapGet("/{id:long}/ticket", Ticket);

        var admin = app.MapGroup("/api/v1/admin/events").WithTags("Admin events").RequireAuthorization(Policies.Admin);
        admin.MapGet("/", AdminList);
        admin.MapGet("/{id:long}", AdminGet);
        // Writes are for the staff who run events; the committee reads them only (403 whatever the id).
        admin.MapPost("/", Create).RequireAuthorization(Policies.ManageEvents);
        admin.MapPut("/{id:long}", Update).RequireAuthorization(Policies.ManageEvents);
        admin.MapPost("/{id:long}/publish", async (long id, NeighbourHubDbContext db, EventService events, TimeProvider clock, CancellationToken ct) =>
            TypedResults.Ok(View(await events.SetPublishedAsync(db, id, ct), null, clock.GetUtcNow()))).RequireAuthorization(Policies.ManageEvents);
        admin.MapPost("/{id:long}/cancel", async (long id, NeighbourHubDbContext db, EventService events, CancellationToken ct) =>
            TypedResults.Ok(new EventCancelled(await events.CancelEventAsync(db, id, ct)))).RequireAuthorization(Policies.ManageEvents);
        admin.MapGet("/{id:long}/signups", Signups);
        admin.MapGet("/{id:long}/signups.xlsx", Export);
        admin.MapPost("/{id:long}/checkins", CheckIn).RequireAuthorization(Policies.ManageEvents);
        // The console's export link: same sheet, cookie-authenticated.
        app.MapGet("/admin/files/events/{id:long}/signups.xlsx", Export).RequireAuthorization(Policies.Admin).ExcludeFromDescription();
        admin.MapPost("/{id:long}/complete", async (long id, NeighbourHubDbContext db, EventService events, CancellationToken ct) =>
            TypedResults.Ok(await events.CompleteAsync(db, id, ct))).RequireAuthorization(Policies.ManageEvents);
        return app;
    }

    internal static EventView View(CommunityEvent e, MySignupView? mine, DateTimeOffset now) =>
        new(e.Id, e.Title, e.Description, e.CoverImageUrl, e.Location, e.StartsAt, e.EndsAt, e.SignupOpensAt, e.SignupClosesAt,
            e.EffectiveCancelDeadline, e.Capacity, e.Confirmed, e.Waitlisted, e.SignupOpen(now), e.VerifiedOnly, e.IsVolunteer,
            e.PointsAwarded, e.Status, e.CommunityId, e.EstateId, e.BuildingId, mine);

    private static async Task<Results<Ok<Paged<EventView>>, ValidationProblem>> List(
        bool? past, int? page, int? pageSize, NeighbourHubDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var v = new Validation();
        var (p, s) = Paging.Normalize(page, pageSize, v);
        if (!v.IsValid)
        {
            return v.Problem();
        }

        var now = clock.GetUtcNow();
        var events = await (past == true ? PastPage : UpcomingPage).For(db)(db, db.ScopeResidentId, now, Paging.Skipped(p, s), s)
            .ToPageAsync(p, s, () => db.Events.LongCountAsync(e => past == true ? e.EndsAt <= now : e.EndsAt > now, ct), ct);
        var views = new List<EventView>();
        foreach (var row in events.Items)
        {
            views.Add(View(row.Event, await MineAsync(db, row.Mine, ct), now));
        }

        return TypedResults.Ok(new Paged<EventView>(views, events.Page, events.PageSize, events.Total));
    }

    /// <summary>An event with the caller's own sign-up (one per event and resident), if any.</summary>
    private sealed record EventRow(CommunityEvent Event, EventSignup? Mine);

    // A page of the events the caller sees, with their own sign-up joined in: the list is one query, compiled (EF walks
    // and hashes a LINQ query's tree on every execution; this one runs on every visit). The tenancy filters still apply:
    // EF reads them from the context the query runs on. Upcoming soonest first; past, latest first.
    private static readonly CompiledPerModel<Func<NeighbourHubDbContext, long, DateTimeOffset, int, int, IAsyncEnumerable<EventRow>>> UpcomingPage = new(() => EF.CompileAsyncQuery(
        (NeighbourHubDbContext db, long me, DateTimeOffset now, int skip, int take) =>
            (from e in db.Events.AsNoTracking()
             where e.EndsAt > now
             join x in db.EventSignups.AsNoTracking().Where(x => x.ResidentId == me && x.Status != SignupStatus.Cancelled) on e.Id equals x.EventId into mine
             from x in mine.DefaultIfEmpty()
             orderby e.StartsAt
             select new EventRow(e, x)).Skip(skip).Take(take)));

    private static readonly CompiledPerModel<Func<NeighbourHubDbContext, long, DateTimeOffset, int, int, IAsyncEnumerable<EventRow>>> PastPage = new(() => EF.CompileAsyncQuery(
        (NeighbourHubDbContext db, long me, DateTimeOffset now, int skip, int take) =>
            (from e in db.Events.AsNoTracking()
             where e.EndsAt <= now
             join x in db.EventSignups.AsNoTracking().Where(x => x.ResidentId == me && x.Status != SignupStatus.Cancelled) on e.Id equals x.EventId into mine
             from x in mine.DefaultIfEmpty()
             orderby e.StartsAt descending
             select new EventRow(e, x)).Skip(skip).Take(take)));

    private static async Task<Results<Ok<EventView>, NotFound>> Get(long id, NeighbourHubDbContext db, CurrentScope scope, TimeProvider clock, CancellationToken ct)
    {
        var e = await db.Events.AsNoTracking().SingleOrDefaultAsync(x => x.Id == id, ct);
        if (e is null)
        {
            return TypedResults.NotFound();
        }

        var mine = await db.EventSignups.AsNoTracking()
            .SingleOrDefaultAsync(x => x.EventId == id && x.ResidentId == scope.Value.ResidentId && x.Status != SignupStatus.Cancelled, ct);
        return TypedResults.Ok(View(e, await MineAsync(db, mine, ct), clock.GetUtcNow()));
    }

    private static async Task<MySignupView?> MineAsync(NeighbourHubDbContext db, EventSignup? s, CancellationToken ct)
    {
        if (s is null)
        {
            return null;
        }

        var answer = await EventService.AnswerAsync(db, s, ct);
        return new MySignupView(answer.Status, answer.Position, s.CheckedInAt);
    }

    private static async Task<Results<Created<SignupAnswer>, Ok<SignupAnswer>>> SignUp(
        long id, NeighbourHubDbContext db, CurrentScope scope, EventService events, CancellationToken ct)
    {
        var (answer, created) = await events.SignUpOutcomeAsync(db, id, scope.CallerResidentId!.Value, ct);
        // A repeated sign-up answers the same body; 200 instead of 201 says nothing new was created.
        return created ? TypedResults.Created($"/api/v1/events/{id}/signups/me", answer) : TypedResults.Ok(answer);
    }

    private static async Task<Ok<SignupAnswer>> Cancel(long id, CurrentScope scope, NeighbourHubDbContext db, EventService events, CancellationToken ct) =>
        TypedResults.Ok(await events.CancelSignupAsync(db, id, scope.Value.ResidentId!.Value, ct));

    private static async Task<Ok<TicketAnswer>> Ticket(long id, CurrentScope scope, NeighbourHubDbContext db, EventService events, CancellationToken ct)
    {
        var (payload, expires) = await events.TicketAsync(db, id, scope.Value.ResidentId!.Value, ct);
        return TypedResults.Ok(new TicketAnswer(payload, expires));
    }

    private static async Task<Results<Ok<Paged<EventView>>, ValidationProblem>> AdminList(
        long? estateId, string? status, int? page, int? pageSize, NeighbourHubDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var v = new Validation();
        var statusFilter = EnumQuery.Parse<EventStatus>("status", status, v);
        var (p, s) = Paging.Normalize(page, pageSize, v);
        if (!v.IsValid)
        {
            return v.Problem();
        }

        var now = clock.GetUtcNow();
        var result = await EventQueries.ForStaff(db, estateId, statusFilter).ToPageAsync(p, s, ct);
        return TypedResults.Ok(new Paged<EventView>(result.Items.Select(e => View(e, null, now)).ToList(), result.Page, result.PageSize, result.Total));
    }

    private static async Task<Results<Ok<EventView>, NotFound>> AdminGet(long id, NeighbourHubDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var e = await EventQueries.EventAsync(db, id, ct);
        return e is null ? TypedResults.NotFound() : TypedResults.Ok(View(e, null, clock.GetUtcNow()));
    }

    private static async Task<Created<CreatedId>> Create(EventInput? body, NeighbourHubDbContext db, EventService events, CancellationToken ct)
    {
        var e = await events.CreateAsync(db, body ?? Empty, ct);
        return TypedResults.Created($"/api/v1/admin/events/{e.Id}", new CreatedId(e.Id));
    }

    private static async Task<Ok<EventView>> Update(long id, EventInput? body, NeighbourHubDbContext db, EventService events, TimeProvider clock, CancellationToken ct) =>
        TypedResults.Ok(View(await events.UpdateAsync(db, id, body ?? Empty, ct), null, clock.GetUtcNow()));

    private static readonly EventInput Empty = new(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);

    private static async Task<Results<Ok<Paged<SignupRow>>, ValidationProblem, NotFound>> Signups(
        long id, int? page, int? pageSize, NeighbourHubDbContext db, CancellationToken ct)
    {
        var v = new Validation();
        var (p, s) = Paging.Normalize(page, pageSize, v);
        if (!v.IsValid)
        {
            return v.Problem();
        }

        if (!await db.Events.AnyAsync(e => e.Id == id, ct))
        {
            return TypedResults.NotFound();
        }

        return TypedResults.Ok(await EventQueries.SignupPageAsync(db, id, p, s, ct));
    }

    private static async Task<Results<FileContentHttpResult, NotFound>> Export(long id, NeighbourHubDbContext db, CancellationToken ct)
    {
        var e = await EventQueries.EventAsync(db, id, ct);
        if (e is null)
        {
            return TypedResults.NotFound();
        }

        var rows = await EventQueries.SignupsAsync(db, id, ct);
        db.Audit("event.signups.export", nameof(CommunityEvent), id.ToString(System.Globalization.CultureInfo.InvariantCulture), new { rows = rows.Count });
        await db.SaveChangesAsync(ct);
        // The sign-up list as organisers print it: names as the caller may see them, phones masked like every list.
        return Spreadsheet.File($"活动{id}报名表.xlsx", rows,
            new("姓名", r => r.Name),
            new("房号", r => r.Flat),
            new("昵称", r => r.Nickname),
            new("手机", r => r.PhoneMasked),
            new("状态", r => r.Status == SignupStatus.Confirmed ? "已确认" : $"候补 #{r.WaitlistTicket}"),
            new("报名时间", r => r.SignedUpAt.Show()),
            new("签到时间", r => r.CheckedInAt.Show()),
            new("缺席", r => r.NoShow ? "是" : ""));
    }

    private static async Task<Results<Ok<CheckinAnswer>, ValidationProblem>> CheckIn(
        long id, CheckinRequest? body, NeighbourHubDbContext db, EventService events, CancellationToken ct)
    {
        var v = new Validation()
            .When(string.IsNullOrWhiteSpace(body?.QrPayload) && body?.ResidentId is null, "qrPayload", "请扫描签到码（或填写居民编号）。")
            .MaxLength("qrPayload", body?.QrPayload, 300);
        if (!v.IsValid)
        {
            return v.Problem();
        }

        return TypedResults.Ok(string.IsNullOrWhiteSpace(body!.QrPayload)
            ? await events.CheckInAsync(db, id, body.ResidentId!.Value, ct)
            : await events.CheckInByTicketAsync(db, id, body.QrPayload, ct));
    }
}
