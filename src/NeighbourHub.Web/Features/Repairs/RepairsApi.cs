using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Hosting;
using NeighbourHub.Web.Tenancy;

namespace NeighbourHub.Web.Features.Repairs;

public sealed record CategoryView(long Id, string Name, int DeadlineHours, bool IsPublicArea);

public sealed record SubmitRepairRequest(long? EstateId, long? HouseholdId, long? CategoryId, string? Description, string? Location, IReadOnlyList<string>? PhotoIds);

public sealed record SubmittedRepair(long Id, string Status, DateTimeOffset DeadlineAt);

public sealed record TimelineEntry(DateTimeOffset At, string Action, string Actor, string? Note);

public sealed record PhotoView(string Id, string Url, string Stage);

public sealed record RepairView(long Id, long EstateId, long? HouseholdId, long CategoryId, string Category, string Description, string Location,
    string Status, DateTimeOffset CreatedAt, DateTimeOffset DeadlineAt, bool Overdue, long? AssigneeId, int ReopenCount, int? Stars,
    int EscalationLevel, DateTimeOffset? LastUrgedAt, IReadOnlyList<PhotoView>? Photos, IReadOnlyList<TimelineEntry>? Timeline,
    string Source = "mini_program", string? Flat = null, string? ReporterName = null, string? ContactPhone = null);

public sealed record RatingBody(int? Stars, string? Comment);

public sealed record AssignBody(long? AssigneeId);

public sealed record ResolveBody(string? Note, IReadOnlyList<string>? PhotoIds);

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
            TypedResults.Ok(await RepairQueries.ViewAsync(db, await r.CancelAsync(db, id, s.Value.ResidentId!.Value, ct), c, ResidentFiles, ct)));
        residents.MapPost("/repairs/{id:long}/reopen", Reopen);
        residents.MapPost("/repairs/{id:long}/rating", Rate);
        residents.MapPost("/repairs/{id:long}/urge", async (long id, NeighbourHubDbContext db, CurrentScope s, RepairService r, TimeProvider c, CancellationToken ct) =>
            TypedResults.Ok(await RepairQueries.ViewAsync(db, await r.UrgeAsync(db, id, s.Value.ResidentId!.Value, ct), c, ResidentFiles, ct)));

        var admin = app.MapGroup("/api/v1/admin").WithTags("Admin repairs").RequireAuthorization(Policies.Admin);
        admin.MapGet("/repairs", AdminList);
        admin.MapGet("/repairs/{id:long}", async (long id, NeighbourHubDbContext db, TimeProvider c, CancellationToken ct) =>
            await RepairQueries.DetailAsync(db, id, reporterId: null, c, AdminFiles, ct) is { } view ? Results.Ok(view) : Results.NotFound());
        admin.MapGet("/repairs/kpis", Kpis);
        admin.MapGet("/staff", async (long? estateId, NeighbourHubDbContext db, RepairService r, CancellationToken ct) =>
            estateId is null ? Results.ValidationProblem(new Dictionary<string, string[]> { ["estateId"] = ["请选择小区。"] })
                : Results.Ok(await r.StaffForAsync(db, estateId.Value, ct)));
        admin.MapPost("/repairs/{id:long}/assign", Assign);
        admin.MapPost("/repairs/{id:long}/start", async (long id, NeighbourHubDbContext db, RepairService r, TimeProvider c, CancellationToken ct) =>
            TypedResults.Ok(await RepairQueries.ViewAsync(db, await r.StartAsync(db, id, ct), c, AdminFiles, ct)));
        admin.MapPost("/repairs/{id:long}/grab", async (long id, NeighbourHubDbContext db, RepairService r, TimeProvider c, CancellationToken ct) =>
            TypedResults.Ok(await RepairQueries.ViewAsync(db, await r.GrabAsync(db, id, ct), c, AdminFiles, ct)));
        admin.MapPost("/repairs/{id:long}/resolve", Resolve);
        // Reports staff take down for a resident (phone, counter, grid patrol): same rules as a resident's own.
        admin.MapPost("/repairs", async (StaffReport? body, NeighbourHubDbContext db, RepairService r, TimeProvider c, CancellationToken ct) =>
        {
            var repair = await r.SubmitForFlatAsync(db, body ?? new StaffReport(null, null, null, null, null, null, null, null, null), ct);
            return TypedResults.Created($"/api/v1/admin/repairs/{repair.Id}", await RepairQueries.ViewAsync(db, repair, c, AdminFiles, ct));
        });
        admin.MapGet("/repairs/export", Export)
            .WithDescription("The board as an Excel file (报事报修.xlsx): the same filters as GET /admin/repairs plus filter=open|overdue|escalated|unassigned|mine and keyword.");
        // The console downloads it with its cookie.
        app.MapGet("/admin/files/repairs.xlsx", Export).RequireAuthorization(Policies.Admin).ExcludeFromDescription();
        return app;
    }

    /// <summary>The most rows one export holds; a larger board is narrowed by its filters first.</summary>
    public const int MaxExportRows = 20_000;

    private static async Task<IResult> Export(long? estateId, long? gridId, long? categoryId, string? status, string? filter, string? keyword,
        NeighbourHubDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var v = new Validation();
        var st = ParseStatus(status, v);
        v.When(filter is not null && RepairQueries.BoardFilter.Named(filter).Name != filter, "filter", "只能是以下之一：open, overdue, escalated, unassigned, mine。")
            .MaxLength("keyword", keyword, 50);
        if (!v.IsValid)
        {
            return v.Problem();
        }

        var f = RepairQueries.BoardFilter.Named(filter) with { EstateId = estateId, GridId = gridId, CategoryId = categoryId, Status = st, Keyword = keyword };
        if (st is not null && filter is null)
        {
            f = f with { OpenOnly = false };
        }

        var now = clock.GetUtcNow();
        var rows = await RepairQueries.ExportAsync(db, f, now, MaxExportRows, ct);
        return Spreadsheet.File($"报事报修_{ChinaTime.DayOf(now):yyyyMMdd}.xlsx", rows,
            new("单号", r => r.Id),
            new("小区", r => r.Estate),
            new("房屋", r => r.Flat ?? "公共区域"),
            new("类别", r => r.Category),
            new("描述", r => r.Description),
            new("位置", r => r.Location),
            new("来源", r => r.Source),
            new("报修人", r => r.Reporter),
            new("联系电话", r => r.Phone),
            new("状态", r => r.Status),
            new("报修时间", r => r.CreatedAt.Show("yyyy-MM-dd HH:mm")),
            new("办结期限", r => r.DeadlineAt.Show("yyyy-MM-dd HH:mm")),
            new("是否超时", r => r.Overdue ? "超时" : ""),
            new("处理人", r => r.Assignee),
            new("处理完成时间", r => r.ResolvedAt?.Show("yyyy-MM-dd HH:mm") ?? ""),
            new("评价", r => r.Stars is { } s ? $"{s} 星" : ""));
    }

    private static async Task<Results<Ok<List<CategoryView>>, ValidationProblem>> Categories(long? estateId, NeighbourHubDbContext db, CancellationToken ct)
    {
        var v = new Validation().Positive("estateId", estateId);
        if (!v.IsValid)
        {
            return v.Problem();
        }

        return TypedResults.Ok(await RepairQueries.Categories(db, estateId)
            .Select(c => new CategoryView(c.Id, c.Name, c.DeadlineHours, c.IsPublicArea)).ToListAsync(ct));
    }

    private static async Task<Results<Created<SubmittedRepair>, ValidationProblem>> Submit(
        SubmitRepairRequest? body, HttpRequest request, NeighbourHubDbContext db, CurrentScope scope, RepairService repairs, CancellationToken ct)
    {
        // Optional here (the contract predates it): a client that retries a report after losing the answer sends the
        // same Idempotency-Key and gets the first report back instead of a second one.
        var key = Idempotency.KeyOf(request);
        var v = new Validation()
            .When(key is { Length: > Idempotency.MaxKeyLength }, Idempotency.Header, $"Idempotency-Key 最长 {Idempotency.MaxKeyLength} 个字符。")
            .Positive("estateId", body?.EstateId)
            .Positive("categoryId", body?.CategoryId)
            .Required("description", body?.Description, 1000)
            .MaxLength("location", body?.Location, 200)
            .When(body?.PhotoIds is { Count: > Repair.MaxPhotos }, "photoIds", Repair.PhotoLimitText);
        if (!v.IsValid)
        {
            return v.Problem();
        }

        var r = await repairs.SubmitAsync(db, scope.Value.ResidentId!.Value, body!.EstateId!.Value, body.HouseholdId, body.CategoryId!.Value,
            body.Description!.Trim(), body.Location?.Trim() ?? "", body.PhotoIds, ct, key);
        return TypedResults.Created($"/api/v1/repairs/{r.Id}", new SubmittedRepair(r.Id, Repair.Wire(r.Status), r.DeadlineAt));
    }

    /// <summary>
    /// Mine, newest first, <paramref name="limit"/> at a time (default 20, at most 100); pass the last id seen as
    /// <paramref name="before"/> for the next page. Served by the (ReporterId, Id) index however many repairs exist.
    /// </summary>
    private static async Task<Results<Ok<List<RepairView>>, ValidationProblem>> Mine(
        string? status, long? before, int? limit, NeighbourHubDbContext db, CurrentScope scope, TimeProvider clock, CancellationToken ct)
    {
        var v = new Validation().When(limit is < 1 or > 100, "limit", "每次条数应在 1 到 100 之间。");
        var st = ParseStatus(status, v);
        if (!v.IsValid)
        {
            return v.Problem();
        }

        return TypedResults.Ok(await RepairQueries.MineAsync(db, scope.Value.ResidentId!.Value, st, before, limit ?? 20, clock.GetUtcNow(), ct));
    }

    private static async Task<Results<Ok<RepairView>, NotFound>> Detail(long id, NeighbourHubDbContext db, CurrentScope scope, TimeProvider clock, CancellationToken ct)
    {
        var view = await RepairQueries.DetailAsync(db, id, scope.Value.ResidentId!.Value, clock, ResidentFiles, ct);
        return view is null ? TypedResults.NotFound() : TypedResults.Ok(view);
    }

    private static async Task<Results<Ok<RepairView>, ValidationProblem>> Reopen(
        long id, ReasonBody? body, NeighbourHubDbContext db, CurrentScope scope, RepairService repairs, TimeProvider clock, CancellationToken ct)
    {
        var v = new Validation().Required("reason", body?.Reason, 500);
        return v.IsValid ? TypedResults.Ok(await RepairQueries.ViewAsync(db, await repairs.ReopenAsync(db, id, scope.Value.ResidentId!.Value, body!.Reason!.Trim(), ct), clock, ResidentFiles, ct)) : v.Problem();
    }

    private static async Task<Results<Ok<RepairView>, ValidationProblem>> Rate(
        long id, RatingBody? body, NeighbourHubDbContext db, CurrentScope scope, RepairService repairs, TimeProvider clock, CancellationToken ct)
    {
        var v = new Validation().When(body?.Stars is null or < 1 or > 5, "stars", "评分应为 1 到 5 星。").MaxLength("comment", body?.Comment, 500);
        return v.IsValid
            ? TypedResults.Ok(await RepairQueries.ViewAsync(db, await repairs.RateAsync(db, id, scope.Value.ResidentId!.Value, body!.Stars!.Value, body.Comment?.Trim(), ct), clock, ResidentFiles, ct))
            : v.Problem();
    }

    private static async Task<Results<Ok<Paged<RepairView>>, ValidationProblem>> AdminList(
        long? estateId, long? gridId, long? categoryId, string? status, bool? overdue, bool? escalatedToMe, int? page, int? pageSize,
        NeighbourHubDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var v = new Validation();
        var st = ParseStatus(status, v);
        var (p, s) = Paging.Normalize(page, pageSize, v);
        if (!v.IsValid)
        {
            return v.Problem();
        }

        var filter = new RepairQueries.BoardFilter(estateId, gridId, categoryId, st, OpenOnly: false, overdue == true, escalatedToMe == true);
        return TypedResults.Ok(await RepairQueries.BoardPageAsync(db, filter, clock.GetUtcNow(), p, s, ct));
    }

    private static async Task<Results<Ok<RepairView>, ValidationProblem>> Assign(
        long id, AssignBody? body, NeighbourHubDbContext db, RepairService repairs, TimeProvider clock, CancellationToken ct)
    {
        var v = new Validation().Positive("assigneeId", body?.AssigneeId);
        return v.IsValid ? TypedResults.Ok(await RepairQueries.ViewAsync(db, await repairs.AssignAsync(db, id, body!.AssigneeId!.Value, ct), clock, AdminFiles, ct)) : v.Problem();
    }

    private static async Task<Results<Ok<RepairView>, ValidationProblem>> Resolve(
        long id, ResolveBody? body, NeighbourHubDbContext db, RepairService repairs, TimeProvider clock, CancellationToken ct)
    {
        return TypedResults.Ok(await RepairQueries.ViewAsync(db, await repairs.ResolveAsync(db, id, body?.Note, body?.PhotoIds, ct), clock, AdminFiles, ct));
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
            v.Add("status", "只能是以下之一：submitted, assigned, in_progress, resolved, closed, cancelled。");
        }

        return match;
    }

    private const string ResidentFiles = "/api/v1/files";
    private const string AdminFiles = "/api/v1/admin/files";

    private static async Task<Results<Ok<KpiReport>, ValidationProblem>> Kpis(
        DateTimeOffset? from, DateTimeOffset? to, string? by, long? estateId, NeighbourHubDbContext db, RepairKpis kpis, TimeProvider clock, CancellationToken ct)
    {
        var v = new Validation();
        var grouping = EnumQuery.Parse<KpiGrouping>("by", by, v) ?? KpiGrouping.Estate;
        v.When(from is { } f && !Plausible(f), "from", "日期超出范围。").When(to is { } t && !Plausible(t), "to", "日期超出范围。");
        if (!v.IsValid)
        {
            return v.Problem();
        }

        var end = to ?? clock.GetUtcNow();
        var start = from ?? end.AddDays(-30);
        v.When(end <= start || end - start > RepairKpis.MaxPeriod, "to", "统计期间最长 366 天，且开始日期须早于结束日期。");
        return v.IsValid ? TypedResults.Ok(await kpis.ComputeAsync(db, start, end, grouping, estateId, ct)) : v.Problem();
    }

    /// <summary>Repairs exist between these years; anything else is a typo, and arithmetic near the calendar's ends would overflow.</summary>
    private static bool Plausible(DateTimeOffset at) => at.Year is >= 2000 and <= 2100;
}
