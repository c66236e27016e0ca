using System.Globalization;
using System.Linq.Expressions;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Features.Organisation;
using NeighbourHub.Web.Hosting;
using NeighbourHub.Web.Tenancy;

namespace NeighbourHub.Web.Features.Repairs;

/// <summary>
/// A key an outside system (a 12345 hotline, a city platform) uses to post reports into one estate.
/// Only the SHA-256 of the key is stored; the key itself is shown once when issued.
/// </summary>
public sealed class Open311ApiKey : IEstateStaffOwned
{
    public long Id { get; set; }
    public long EstateId { get; set; }
    public required string Label { get; set; }
    public required string KeyHash { get; set; }
    /// <summary>The first characters, so staff can tell keys apart without the secret.</summary>
    public required string Prefix { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}

internal sealed class Open311ApiKeyConfiguration : IEntityTypeConfiguration<Open311ApiKey>
{
    public void Configure(EntityTypeBuilder<Open311ApiKey> b)
    {
        b.ToTable("Open311ApiKeys");
        b.Property(x => x.Label).HasMaxLength(100);
        b.Property(x => x.KeyHash).HasMaxLength(64);
        b.Property(x => x.Prefix).HasMaxLength(16);
        b.HasIndex(x => x.KeyHash).IsUnique();
        b.HasOne<Estate>().WithMany().HasForeignKey(x => x.EstateId).OnDelete(DeleteBehavior.Restrict);
    }
}

public sealed record IssuedApiKey(long Id, long EstateId, string Label, string ApiKey);

public sealed record ApiKeyView(long Id, long EstateId, string Label, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

public sealed record IssueKeyBody(long? EstateId, string? Label);

/// <summary>
/// Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2/): public-area repairs for city platforms.
/// Only categories flagged public appear, and never personal data: no reporter, household, phone,
/// contact details or photos; phone-like numbers typed into descriptions are masked. Errors use the
/// GeoReport shape <c>[{code, description}]</c>, which is what Open311 clients parse.
/// </summary>
public static partial class Open311Api
{
    public const string RateLimitPolicy = "open311";
    private const int MaxRows = 1000;
    private static readonly TimeSpan DefaultWindow = TimeSpan.FromDays(90);
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // Chinese as Chinese; still valid JSON
    };

    public static IEndpointRouteBuilder MapOpen311Api(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/open311/v2").WithTags("Open311 GeoReport v2").RequireRateLimiting(RateLimitPolicy).DisableAntiforgery();
        // A public protocol: no caller's scope applies. Its handlers read with the system scope and restrict
        // themselves — to public-area categories, and a POST to the estate of its api_key.
        g.AddEndpointFilter(async (context, next) =>
        {
            context.HttpContext.RequestServices.GetRequiredService<NeighbourHubDbContext>().Scope = CurrentScope.For(AccessScope.System);
            return await next(context);
        });
        g.MapGet("/services.json", Services);
        g.MapGet("/requests.json", Requests);
        g.MapGet("/requests/{id}.json", Request);
        g.MapPost("/requests.json", Post);

        var admin = app.MapGroup("/api/v1/admin/open311/keys").WithTags("Open311 keys").RequireAuthorization(Policies.ManageOrganisation);
        admin.MapGet("", async (long? estateId, NeighbourHubDbContext db, CancellationToken ct) => TypedResults.Ok(await Open311Keys.ListAsync(db, estateId, ct)));
        admin.MapPost("", async (IssueKeyBody? body, NeighbourHubDbContext db, TimeProvider clock, CancellationToken ct) =>
            Results.Ok(await Open311Keys.IssueAsync(db, body, clock, ct)));
        admin.MapDelete("/{id:long}", async (long id, NeighbourHubDbContext db, TimeProvider clock, CancellationToken ct) =>
        {
            await Open311Keys.RevokeAsync(db, id, clock, ct);
            return Results.NoContent();
        });
        return app;
    }

    private sealed record Service(string ServiceCode, string ServiceName, string Description, bool Metadata, string Type, string Keywords, string Group);

    private static async Task<IResult> Services(NeighbourHubDbContext db, CancellationToken ct)
    {
        var rows = await (from c in db.RepairCategories
                          where c.IsPublicArea
                          join e in db.Estates on c.EstateId equals e.Id
                          orderby e.Id, c.Id
                          select new { c.Id, c.Name, c.DeadlineHours, Estate = e.Name }).ToListAsync(ct);
        return Results.Json(rows.Select(r => new Service(Code(r.Id), r.Name, $"{r.Estate} · {r.Name}（{r.DeadlineHours} 小时内办结）", false, "realtime", r.Name, r.Estate)),
            Json);
    }

    private sealed record ServiceRequest(
        string ServiceRequestId, string Status, string? StatusNotes, string ServiceName, string ServiceCode, string Description,
        string? AgencyResponsible, string? ServiceNotice, string RequestedDatetime, string UpdatedDatetime, string? ExpectedDatetime,
        string Address, string? AddressId, string? Zipcode, double? Lat, double? Long, string? MediaUrl);

    private static async Task<IResult> Requests(HttpRequest http, NeighbourHubDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var q = http.Query;
        var codes = ParseList(q["service_code"]);
        var statuses = ParseList(q["status"]);
        if (codes.Any(c => !long.TryParse(c, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
        {
            return Error(400, "service_code 须为 services.json 中列出的服务代码。");
        }

        if (statuses.Any(s => s is not ("open" or "closed")))
        {
            return Error(400, "status 只能是 open 或 closed。");
        }

        if (!TryDate(q["end_date"], out var end) || !TryDate(q["start_date"], out var start))
        {
            return Error(400, "start_date 和 end_date 须为 W3C 日期时间格式，例如 2026-11-01T00:00:00+08:00。");
        }

        var to = end ?? clock.GetUtcNow();
        var from = start ?? to - DefaultWindow;
        if (from > to)
        {
            return Error(400, "start_date 不能晚于 end_date。");
        }

        var ids = ParseList(q["service_request_id"]).Select(s => long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : -1).ToList();
        var categoryIds = codes.Select(c => long.Parse(c, CultureInfo.InvariantCulture)).ToList();
        var wantOpen = statuses.Contains("open");
        var wantClosed = statuses.Contains("closed");
        var requests = PublicRequests(db)
            .Where(x => x.R.CreatedAt >= from && x.R.CreatedAt <= to)
            .Where(x => categoryIds.Count == 0 || categoryIds.Contains(x.R.CategoryId))
            .Where(x => ids.Count == 0 || ids.Contains(x.R.Id));
        if (wantOpen != wantClosed)
        {
            requests = requests.Where(wantOpen ? OpenRow : ClosedRow);
        }

        var rows = await requests.OrderByDescending(x => x.R.CreatedAt).Take(MaxRows).ToListAsync(ct);
        return Results.Json(await ToViewsAsync(db, rows, clock, ct), Json);
    }

    private static async Task<IResult> Request(string id, NeighbourHubDbContext db, TimeProvider clock, CancellationToken ct)
    {
        if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var requestId))
        {
            return Error(404, "找不到这条公共区域报修。");
        }

        var rows = await PublicRequests(db).Where(x => x.R.Id == requestId).ToListAsync(ct);
        return rows.Count == 0 ? Error(404, "找不到这条公共区域报修。") : Results.Json(await ToViewsAsync(db, rows, clock, ct), Json);
    }

    private sealed record Created311(string ServiceRequestId, string ServiceNotice, string? AccountId);

    /// <summary>GeoReport v2 POST: form-encoded, authenticated by the estate's api_key; the service_code must belong to that estate.</summary>
    private static async Task<IResult> Post(HttpRequest http, NeighbourHubDbContext db, RepairService repairs, CancellationToken ct)
    {
        if (!http.HasFormContentType)
        {
            return Error(400, "请按 GeoReport v2 的规定，以 application/x-www-form-urlencoded 表单提交。");
        }

        var f = await http.ReadFormAsync(ct);
        var apiKey = (string?)f["api_key"];
        var key = string.IsNullOrEmpty(apiKey) ? null
            : await db.Open311ApiKeys.AsNoTracking().SingleOrDefaultAsync(k => k.KeyHash == Open311ApiKey.Hash(apiKey) && k.RevokedAt == null, ct);
        if (key is null)
        {
            return Error(403, "api_key 缺失、无效或已被吊销。");
        }

        var code = (string?)f["service_code"];
        var category = long.TryParse(code, NumberStyles.None, CultureInfo.InvariantCulture, out var categoryId)
            ? await db.RepairCategories.AsNoTracking().SingleOrDefaultAsync(c => c.Id == categoryId && c.EstateId == key.EstateId && c.IsPublicArea, ct)
            : null;
        if (category is null)
        {
            return Error(404, "service_code 不是该 api_key 所属小区的公共区域服务（见 services.json）。");
        }

        var description = ((string?)f["description"])?.Trim();
        var address = ((string?)f["address_string"])?.Trim();
        var lat = ParseCoordinate(f["lat"], 90);
        var lon = ParseCoordinate(f["long"], 180);
        var errors = new List<string>();
        if (string.IsNullOrEmpty(description) || description.Length > 1000)
        {
            errors.Add("请填写问题描述 description（最多 1000 个字）。");
        }

        if (string.IsNullOrEmpty(address) && (lat is null || lon is null))
        {
            errors.Add("请提供位置：address_string，或 lat 和 long。");
        }

        if (address?.Length > 200)
        {
            errors.Add("address_string 最多 200 个字。");
        }

        if ((!string.IsNullOrEmpty(f["lat"]) && lat is null) || (!string.IsNullOrEmpty(f["long"]) && lon is null))
        {
            errors.Add("lat 和 long 须为十进制度数。");
        }

        if (errors.Count > 0)
        {
            return Results.Json(errors.Select(e => new { code = 400, description = e }), Json, statusCode: 400);
        }

        var contact = string.Join(" ", new[] { (string?)f["first_name"], (string?)f["last_name"], (string?)f["phone"], (string?)f["email"] }
            .Where(s => !string.IsNullOrWhiteSpace(s)).Select(s => s!.Trim()));
        var repair = await repairs.SubmitExternalAsync(db, key.EstateId, category, description!, address ?? "", lat, lon,
            contact.Length == 0 ? null : contact[..Math.Min(contact.Length, 200)], key.Prefix, ct);
        return Results.Json(new[] { new Created311(Id(repair.Id), $"已受理，{category.DeadlineHours} 小时内办结。", null) }, Json, statusCode: 201);
    }

    /// <summary>Init-only (not positional) so EF can keep filtering after the projection.</summary>
    private sealed class Row
    {
        public required Repair R { get; init; }
        public required string Category { get; init; }
        public required string Estate { get; init; }
    }

    /// <summary>Everything the feed may ever show: public-area repairs that were not cancelled.</summary>
    /// <summary>GeoReport's two statuses: open while the repair is open, closed once resolved or closed (cancelled ones are never published).</summary>
    private static readonly Expression<Func<Row, bool>> OpenRow = Repair.Open.On((Row x) => x.R);

    private static readonly Expression<Func<Row, bool>> ClosedRow = x => x.R.Status == RepairStatus.Resolved || x.R.Status == RepairStatus.Closed;

    private static IQueryable<Row> PublicRequests(NeighbourHubDbContext db) =>
        from r in db.Repairs.AsNoTracking()
        join c in db.RepairCategories on r.CategoryId equals c.Id
        where c.IsPublicArea && r.Status != RepairStatus.Cancelled
        join e in db.Estates on r.EstateId equals e.Id
        select new Row { R = r, Category = c.Name, Estate = e.Name };

    private static async Task<List<ServiceRequest>> ToViewsAsync(NeighbourHubDbContext db, List<Row> rows, TimeProvider clock, CancellationToken ct)
    {
        var today = clock.Today();
        var estateIds = rows.Select(r => r.R.EstateId).Distinct().ToList();
        var firms = await (from c in db.EstateFirmContracts.Where(EstateFirmContract.ActiveOn(today))
                           where estateIds.Contains(c.EstateId)
                           join f in db.PropertyFirms on c.PropertyFirmId equals f.Id
                           select new { c.EstateId, f.Name }).ToListAsync(ct);
        return rows.Select(x => new ServiceRequest(
            Id(x.R.Id),
            x.R.IsOpen ? "open" : "closed",
            StatusNote(x.R.Status),
            x.Category,
            Code(x.R.CategoryId),
            MaskNumbers(x.R.Description),
            firms.FirstOrDefault(f => f.EstateId == x.R.EstateId)?.Name ?? $"{x.Estate}业主自管",
            null,
            W3c(x.R.CreatedAt),
            W3c(x.R.UpdatedAt > x.R.CreatedAt ? x.R.UpdatedAt : x.R.CreatedAt),
            x.R.IsOpen ? W3c(x.R.DeadlineAt) : null,
            $"{x.Estate} {MaskNumbers(x.R.Location)}".Trim(),
            null,
            null,
            x.R.Latitude,
            x.R.Longitude,
            null)).ToList();
    }

    /// <summary>Generic words only: staff notes can name people, so they never leave the console.</summary>
    private static string StatusNote(RepairStatus s) => s switch
    {
        RepairStatus.Submitted => "已受理，待派单",
        RepairStatus.Assigned => "已派单",
        RepairStatus.InProgress => "处理中",
        RepairStatus.Resolved => "已处理，待居民确认",
        _ => "已办结",
    };

    /// <summary>Residents sometimes type a phone number into the description; five or more digits in a row are masked.</summary>
    public static string MaskNumbers(string text) => LongNumber().Replace(text, m => new string('*', m.Length));

    [GeneratedRegex(@"\d{5,}")]
    private static partial Regex LongNumber();

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    private static string Code(long categoryId) => categoryId.ToString(CultureInfo.InvariantCulture);

    private static string W3c(DateTimeOffset at) => at.Show("yyyy-MM-dd'T'HH:mm:sszzz");

    private static List<string> ParseList(string? value) =>
        string.IsNullOrWhiteSpace(value) ? [] : value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    private static bool TryDate(string? value, out DateTimeOffset? at)
    {
        at = null;
        if (string.IsNullOrEmpty(value))
        {
            return true;
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            at = parsed;
            return true;
        }

        return false;
    }

    private static double? ParseCoordinate(string? value, double max) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && Math.Abs(d) <= max ? d : null;

    private static IResult Error(int status, string description) =>
        Results.Json(new[] { new { code = status, description } }, Json, statusCode: status);
}
