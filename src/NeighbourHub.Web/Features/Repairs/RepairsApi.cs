using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Hosting;
using NeighbourHub.Web.Tenancy;

namespace NeighbourHub.Web.Features.Repairs;

public sealed record CategoryView(long Id, string Name, int DeadlineHours, bool IsPublicArea);

public sealed record SubmitRepairRequest(long? EstateId, long? HouseholdId, long? CategoryId, string? Description, string? Location, IReadOnlyList<long>? PhotoIds);

public sealed record SubmittedRepair(long Id, string Status, DateTimeOffset DeadlineAt);

public sealed record TimelineEntry(DateTimeOffset At, string Action, string Actor, string? Note);

public sealed record RepairView(long Id, long EstateId, long? HouseholdId, long CategoryId, string Category, string Description, string Location,
    string Status, DateTimeOffset CreatedAt, DateTimeOffset DeadlineAt, bool Overdue, long? AssigneeId, int ReopenCount, int? Stars,
    IReadOnlyList<TimelineEntry>? Timeline);

public sealed record ReasonBody(string? Reason);

public sealed record RatingBody(int? Stars, string? Comment);

public sealed record AssignBody(long? AssigneeId);

public sealed record ResolveBody(string? Note, IReadOnlyList<long>? PhotoIds);

public static class RepairsApi
{
    public static IEndpointRouteBuilder MapRepairsApi(this IEndpointRouteBuilder app)
    {
        var residents = app.MapGroup("/api/v1").WithTags("Repairs").RequireAuthorization(Policies.Resident);
        residents.MapGet("/repair-categories", Categories);
        residents.MapPost("/repairs", Submit);
        residents.MapGet("/repairs", Mine);
        residents.MapGet("/repairs/{id:long}", Detail);
        residents.MapPost("/repairs/{id:long}/cancel", async (long id, NeighbourHubDbContext db, CurrentScope s, RepairService r, TimeProvider c, CancellationToken ct) =>
            TypedResults.Ok(await ViewAsync(db, await r.CancelAsync(db, id, s.Value.ResidentId!.Value, ct), c, ct)));
        residents.MapPost("/repairs/{id:long}/reopen", Reopen);
        residents.MapPost("/repairs/{id:long}/rating", Rate);
        residents.MapPost("/repairs/{id:long}/urge", async (long id, NeighbourHubDbContext db, CurrentScope s, RepairService r, TimeProvider c, CancellationToken ct) =>
            TypedResults.Ok(await ViewAsync(db, await r.UrgeAsync(db, id, s.Value.ResidentId!.Value, ct), c, ct)));

        var admin = app.MapGroup("/api/v1/admin").WithTags("Admin repairs").RequireAuthorization(Policies.Admin);
        admin.MapGet("/repairs", AdminList);
        admin.MapGet("/repairs/{id:long}", async (long id, NeighbourHubDbContext db, TimeProvider c, CancellationToken ct) =>
            await db.Repairs.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, ct) is { } repair
                ? Results.Ok(await ViewAsync(db, repair, c, ct)) : Results.NotFound());
        admin.MapGet("/staff", async (long? estateId, NeighbourHubDbContext db, RepairService r, CancellationToken ct) =>
            estateId is null ? Results.ValidationProblem(new Dictionary<string, string[]> { ["estateId"] = ["estateId is required."] })
                : Results.Ok(await r.StaffForAsync(db, estateId.Value, ct)));
        admin.MapPost("/repairs/{id:long}/assign", Assign);
        admin.MapPost("/repairs/{id:long}/start", async (long id, NeighbourHubDbContext db, RepairService r, TimeProvider c, CancellationToken ct) =>
            TypedResults.Ok(await ViewAsync(db, await r.StartAsync(db, id, ct), c, ct)));
        admin.MapPost("/repairs/{id:long}/resolve", Resolve);
        return app;
    }

    private static async Task<Results<Ok<List<CategoryView>>, ValidationProblem>> Categories(long? estateId, NeighbourHubDbContext db, CancellationToken ct)
    {
        var v = new Validation().Positive("estateId", estateId);
        if (!v.IsValid)
        {
            return v.Problem();
        }

        return TypedResults.Ok(await db.RepairCategories.Where(c => c.EstateId == estateId).OrderBy(c => c.Id)
            .Select(c => new CategoryView(c.Id, c.Name, c.DeadlineHours, c.IsPublicArea)).ToListAsync(ct));
    }

    private static async Task<Results<Created<SubmittedRepair>, ValidationProblem>> Submit(
        SubmitRepairRequest? body, NeighbourHubDbContext db, CurrentScope scope, RepairService repairs, CancellationToken ct)
    {
        var v = new Validation()
            .Positive("estateId", body?.EstateId)
            .Positive("categoryId", body?.CategoryId)
            .Required("description", body?.Description, 1000)
            .MaxLength("location", body?.Location, 200)
            .When(body?.PhotoIds is { Count: > 9 }, "photoIds", "At most 9 photos.")
            // Photo uploads arrive with POST /api/v1/files; until then a report cannot reference any.
            .When(body?.PhotoIds is { Count: > 0 }, "photoIds", "Photo upload is not available yet; submit without photos.");
        if (!v.IsValid)
        {
            return v.Problem();
        }

        var r = await repairs.SubmitAsync(db, scope.Value.ResidentId!.Value, body!.EstateId!.Value, body.HouseholdId, body.CategoryId!.Value,
            body.Description!.Trim(), body.Location?.Trim() ?? "", ct);
        return TypedResults.Created($"/api/v1/repairs/{r.Id}", new SubmittedRepair(r.Id, Repair.Wire(r.Status), r.DeadlineAt));
    }

    private static async Task<Results<Ok<List<RepairView>>, ValidationProblem>> Mine(
        string? status, NeighbourHubDbContext db, CurrentScope scope, TimeProvider clock, CancellationToken ct)
    {
        var v = new Validation();
        var st = ParseStatus(status, v);
        if (!v.IsValid)
        {
            return v.Problem();
        }

        var now = clock.GetUtcNow();
        var rows = await (from r in db.Repairs
                          where r.ReporterId == scope.Value.ResidentId && (st == null || r.Status == st)
                          join c in db.RepairCategories.IgnoreQueryFilters() on r.CategoryId equals c.Id
                          orderby r.Id descending
                          select new { r, c.Name }).Take(100).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(x => View(x.r, x.Name, now, null)).ToList());
    }

    private static async Task<Results<Ok<RepairView>, NotFound>> Detail(long id, NeighbourHubDbContext db, CurrentScope scope, TimeProvider clock, CancellationToken ct)
    {
        var repair = await db.Repairs.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id && r.ReporterId == scope.Value.ResidentId, ct);
        return repair is null ? TypedResults.NotFound() : TypedResults.Ok(await ViewAsync(db, repair, clock, ct));
    }

    private static async Task<Results<Ok<RepairView>, ValidationProblem>> Reopen(
        long id, ReasonBody? body, NeighbourHubDbContext db, CurrentScope scope, RepairService repairs, TimeProvider clock, CancellationToken ct)
    {
        var v = new Validation().Required("reason", body?.Reason, 500);
        return v.IsValid ? TypedResults.Ok(await ViewAsync(db, await repairs.ReopenAsync(db, id, scope.Value.ResidentId!.Value, body!.Reason!.Trim(), ct), clock, ct)) : v.Problem();
    }

    private static async Task<Results<Ok<RepairView>, ValidationProblem>> Rate(
        long id, RatingBody? body, NeighbourHubDbContext db, CurrentScope scope, RepairService repairs, TimeProvider clock, CancellationToken ct)
    {
        var v = new Validation().When(body?.Stars is null or < 1 or > 5, "stars", "stars must be 1 to 5.").MaxLength("comment", body?.Comment, 500);
        return v.IsValid
            ? TypedResults.Ok(await ViewAsync(db, await repairs.RateAsync(db, id, scope.Value.ResidentId!.Value, body!.Stars!.Value, body.Comment?.Trim(), ct), clock, ct))
            : v.Problem();
    }

    private static async Task<Results<Ok<Paged<RepairView>>, ValidationProblem>> AdminList(
        long? estateId, string? status, bool? overdue, int? page, int? pageSize, NeighbourHubDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var v = new Validation();
        var st = ParseStatus(status, v);
        var (p, s) = Paging.Normalize(page, pageSize, v);
        if (!v.IsValid)
        {
            return v.Problem();
        }

        var now = clock.GetUtcNow();
        var query = from r in db.Repairs
                    where (estateId == null || r.EstateId == estateId) && (st == null || r.Status == st)
                          && (overdue != true || ((r.Status == RepairStatus.Submitted || r.Status == RepairStatus.Assigned || r.Status == RepairStatus.InProgress) && r.DeadlineAt < now))
                    join c in db.RepairCategories on r.CategoryId equals c.Id
                    orderby r.DeadlineAt
                    select new { r, c.Name };
        var result = await query.ToPageAsync(p, s, ct);
        return TypedResults.Ok(new Paged<RepairView>(result.Items.Select(x => View(x.r, x.Name, now, null)).ToList(), result.Page, result.PageSize, result.Total));
    }

    private static async Task<Results<Ok<RepairView>, ValidationProblem>> Assign(
        long id, AssignBody? body, NeighbourHubDbContext db, RepairService repairs, TimeProvider clock, CancellationToken ct)
    {
        var v = new Validation().Positive("assigneeId", body?.AssigneeId);
        return v.IsValid ? TypedResults.Ok(await ViewAsync(db, await repairs.AssignAsync(db, id, body!.AssigneeId!.Value, ct), clock, ct)) : v.Problem();
    }

    private static async Task<Results<Ok<RepairView>, ValidationProblem>> Resolve(
        long id, ResolveBody? body, NeighbourHubDbContext db, RepairService repairs, TimeProvider clock, CancellationToken ct)
    {
        var v = new Validation().Required("note", body?.Note, 1000)
            .When(body?.PhotoIds is { Count: > 0 }, "photoIds", "Photo upload is not available yet; resolve without photos.");
        return v.IsValid ? TypedResults.Ok(await ViewAsync(db, await repairs.ResolveAsync(db, id, body!.Note!.Trim(), ct), clock, ct)) : v.Problem();
    }

    /// <summary>Status values as API.md spells them: submitted, assigned, in_progress, resolved, closed, cancelled.</summary>
    private static RepairStatus? ParseStatus(string? status, Validation v)
    {
        if (string.IsNullOrEmpty(status))
        {
            return null;
        }

        var match = Enum.GetValues<RepairStatus>().Cast<RepairStatus?>().FirstOrDefault(s => Repair.Wire(s!.Value) == status);
        if (match is null)
        {
            v.Add("status", "status must be one of: submitted, assigned, in_progress, resolved, closed, cancelled.");
        }

        return match;
    }

    internal static async Task<RepairView> ViewAsync(NeighbourHubDbContext db, Repair r, TimeProvider clock, CancellationToken ct)
    {
        var category = await db.RepairCategories.IgnoreQueryFilters().Where(c => c.Id == r.CategoryId).Select(c => c.Name).SingleAsync(ct);
        var timeline = await db.RepairEvents.IgnoreQueryFilters().Where(e => e.RepairId == r.Id).OrderBy(e => e.Id)
            .Select(e => new TimelineEntry(e.At, e.Action, e.Actor, e.Note)).ToListAsync(ct);
        return View(r, category, clock.GetUtcNow(), timeline);
    }

    private static RepairView View(Repair r, string category, DateTimeOffset now, IReadOnlyList<TimelineEntry>? timeline) =>
        new(r.Id, r.EstateId, r.HouseholdId, r.CategoryId, category, r.Description, r.Location, Repair.Wire(r.Status), r.CreatedAt, r.DeadlineAt,
            r.IsOverdue(now), r.AssigneeId, r.ReopenCount, r.Stars, timeline);
}
