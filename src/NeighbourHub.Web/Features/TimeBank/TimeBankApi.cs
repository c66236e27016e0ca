using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Hosting;
using NeighbourHub.Web.Tenancy;

namespace NeighbourHub.Web.Features.TimeBank;

public sealed record LedgerEntryView(long TransactionId, DateTimeOffset At, LedgerCategory Category, int Amount, string Memo);

public sealed record AccountView(int Balance, int EarnedTotal, int SpentTotal, IReadOnlyList<LedgerEntryView> Entries);

public sealed record RewardView(long Id, long CommunityId, string Name, int PointsCost, int Stock, int PerPersonLimit, DateTimeOffset? ActiveFrom, DateTimeOffset? ActiveTo);

public sealed record RedeemRequest(long? RewardId, int? Quantity);

public sealed record TransferRequest(long? ToResidentId, int? Points, string? Memo);

public sealed record RewardRequest(long? CommunityId, string? Name, int? PointsCost, int? Stock, int? PerPersonLimit, DateTimeOffset? ActiveFrom, DateTimeOffset? ActiveTo);

public sealed record GrantRequest(long? ResidentId, int? Points, LedgerCategory? Category, string? Memo);

public sealed record PointsAccountRow(long Id, AccountKind Kind, long? ResidentId, string Owner, long? CommunityId, int Balance, int EarnedTotal, int SpentTotal);

public sealed record AdminLedgerRow(long TransactionId, DateTimeOffset At, LedgerCategory Category, string Memo, long AccountId, string Owner, int Amount, long? ApprovedByAdminId);

public static class TimeBankApi
{
    public static IEndpointRouteBuilder MapTimeBankApi(this IEndpointRouteBuilder app)
    {
        var residents = app.MapGroup("/api/v1/timebank").WithTags("Time bank").RequireAuthorization(Policies.Resident);
        residents.MapGet("/account", Account);
        residents.MapGet("/rewards", Rewards);
        residents.MapPost("/redemptions", Redeem);
        residents.MapGet("/redemptions", MyRedemptions);
        residents.MapPost("/transfers", Transfer);

        var admin = app.MapGroup("/api/v1/admin/timebank").WithTags("Admin time bank").RequireAuthorization(Policies.ManageTimeBank);
        admin.MapPost("/rewards", CreateReward);
        admin.MapPost("/grants", Grant);
        admin.MapGet("/residents", FindResidents);
        admin.MapGet("/accounts", Accounts);
        admin.MapGet("/ledger", Ledger);
        admin.MapGet("/redemptions", Redemptions);
        admin.MapPost("/redemptions/{id:long}/fulfil", async (long id, NeighbourHubDbContext db, TimeBankService tb, CancellationToken ct) =>
            TypedResults.Ok(ToView(await tb.FulfilAsync(db, id, ct), "")));
        admin.MapPost("/redemptions/{id:long}/cancel", async (long id, NeighbourHubDbContext db, TimeBankService tb, CancellationToken ct) =>
            TypedResults.Ok(ToView(await tb.CancelRedemptionAsync(db, id, ct), "")));
        app.MapGet("/admin/files/timebank/ledger.xlsx", ExportLedger).RequireAuthorization(Policies.ManageTimeBank).ExcludeFromDescription();
        admin.MapGet("/ledger.xlsx", ExportLedger);
        admin.MapPost("/verify", async (NeighbourHubDbContext db, CancellationToken ct) => TypedResults.Ok(await TimeBankLedger.VerifyAsync(db, ct)))
            .RequireAuthorization(Policies.ReadAuditLog);
        return app;
    }

    private static RedemptionView ToView(Redemption r, string rewardName) =>
        new(r.Id, r.RewardId, rewardName, r.Quantity, r.Points, r.Status, r.CreatedAt);

    private static async Task<Ok<AccountView>> Account(NeighbourHubDbContext db, CurrentScope scope, CancellationToken ct)
    {
        var residentId = scope.Value.ResidentId!.Value;
        var account = await db.TimeBankAccounts.AsNoTracking().SingleOrDefaultAsync(a => a.ResidentId == residentId, ct);
        if (account is null)
        {
            return TypedResults.Ok(new AccountView(0, 0, 0, []));
        }

        var entries = await (from p in db.LedgerPostings
                             where p.AccountId == account.Id
                             join t in db.LedgerTransactions on p.TransactionId equals t.Id
                             orderby t.Id descending
                             select new LedgerEntryView(t.Id, t.CreatedAt, t.Category, p.Amount, t.Memo)).Take(50).ToListAsync(ct);
        return TypedResults.Ok(new AccountView(account.Balance, account.EarnedTotal, account.SpentTotal, entries));
    }

    private static async Task<Ok<List<RewardView>>> Rewards(NeighbourHubDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var rewards = await db.Rewards.AsNoTracking()
            .Where(r => r.IsActive && (r.ActiveFrom == null || r.ActiveFrom <= now) && (r.ActiveTo == null || r.ActiveTo > now))
            .OrderBy(r => r.PointsCost)
            .Select(r => new RewardView(r.Id, r.CommunityId, r.Name, r.PointsCost, r.Stock, r.PerPersonLimit, r.ActiveFrom, r.ActiveTo))
            .ToListAsync(ct);
        return TypedResults.Ok(rewards);
    }

    private static async Task<Results<Created<RedemptionView>, Ok<RedemptionView>, ValidationProblem>> Redeem(
        RedeemRequest? body, [FromHeader(Name = Idempotency.Header)] string? idempotencyKey, NeighbourHubDbContext db, CurrentScope scope,
        TimeBankService tb, CancellationToken ct)
    {
        var v = new Validation()
            .Positive("rewardId", body?.RewardId)
            .When(body?.Quantity is < 1 or > 100, "quantity", "兑换数量应在 1 到 100 之间。")
            .Required(Idempotency.Header, idempotencyKey, Idempotency.MaxKeyLength);
        if (!v.IsValid)
        {
            return v.Problem();
        }

        var (redemption, created) = await tb.RedeemAsync(db, scope.Value.ResidentId!.Value, body!.RewardId!.Value, body.Quantity ?? 1, idempotencyKey!, ct);
        var name = await db.Rewards.Where(r => r.Id == redemption.RewardId).Select(r => r.Name).SingleAsync(ct);
        var view = ToView(redemption, name);
        return created ? TypedResults.Created($"/api/v1/timebank/redemptions/{redemption.Id}", view) : TypedResults.Ok(view);
    }

    private static async Task<Ok<List<RedemptionView>>> MyRedemptions(NeighbourHubDbContext db, CurrentScope scope, CancellationToken ct) =>
        TypedResults.Ok(await (from r in db.Redemptions
                               where r.ResidentId == scope.Value.ResidentId
                               join w in db.Rewards.Unscoped(Because.DetailsOfARowInScope) on r.RewardId equals w.Id
                               orderby r.Id descending
                               select new RedemptionView(r.Id, r.RewardId, w.Name, r.Quantity, r.Points, r.Status, r.CreatedAt)).Take(100).ToListAsync(ct));

    private static async Task<Results<Created<TransferAnswer>, ValidationProblem>> Transfer(
        TransferRequest? body, [FromHeader(Name = Idempotency.Header)] string? idempotencyKey, NeighbourHubDbContext db, CurrentScope scope,
        TimeBankService tb, CancellationToken ct)
    {
        var v = new Validation()
            .Positive("toResidentId", body?.ToResidentId)
            .When(body?.Points is null or < 1 or > TimeBankService.MaxPointsPerOperation, "points", $"赠送积分应在 1 到 {TimeBankService.MaxPointsPerOperation} 之间。")
            .MaxLength("memo", body?.Memo, 200)
            .MaxLength(Idempotency.Header, idempotencyKey, Idempotency.MaxKeyLength);
        if (!v.IsValid)
        {
            return v.Problem();
        }

        var answer = await tb.TransferAsync(db, scope.Value.ResidentId!.Value, body!.ToResidentId!.Value, body.Points!.Value, body.Memo?.Trim() ?? "", idempotencyKey, ct);
        return TypedResults.Created($"/api/v1/timebank/account", answer);
    }

    private static async Task<Created<CreatedIdAnswer>> CreateReward(RewardRequest? body, NeighbourHubDbContext db, TimeBankService tb, CancellationToken ct)
    {
        var reward = await tb.CreateRewardAsync(db, body, ct);
        return TypedResults.Created($"/api/v1/admin/timebank/rewards/{reward.Id}", new CreatedIdAnswer(reward.Id));
    }

    private static async Task<Results<Created<CreatedIdAnswer>, ValidationProblem>> Grant(
        GrantRequest? body, [FromHeader(Name = Idempotency.Header)] string? idempotencyKey, NeighbourHubDbContext db, TimeBankService tb, CancellationToken ct)
    {
        var tx = await tb.GrantAsync(db, body, idempotencyKey, ct);
        return TypedResults.Created($"/api/v1/admin/timebank/ledger?transactionId={tx.Id}", new CreatedIdAnswer(tx.Id));
    }

    /// <summary>Residents a grant may go to, found by name, flat ("3-2-501") or the phone's last four digits (the console's picker).</summary>
    private static async Task<Results<Ok<List<ResidentPick>>, ValidationProblem>> FindResidents(string? q, NeighbourHubDbContext db, CancellationToken ct)
    {
        var v = new Validation().Required("q", q, 50, label: "姓名、房号或手机尾号");
        return v.IsValid ? TypedResults.Ok(await TimeBankQueries.GrantCandidatesAsync(db, q, 20, ct)) : v.Problem();
    }

    private static async Task<Results<Ok<Paged<PointsAccountRow>>, ValidationProblem>> Accounts(int? page, int? pageSize, NeighbourHubDbContext db, CancellationToken ct)
    {
        var v = new Validation();
        var (p, s) = Paging.Normalize(page, pageSize, v);
        return v.IsValid ? TypedResults.Ok(await TimeBankQueries.AccountPageAsync(db, p, s, ct)) : v.Problem();
    }

    private static async Task<Results<Ok<Paged<AdminLedgerRow>>, ValidationProblem>> Ledger(
        string? category, long? accountId, int? page, int? pageSize, NeighbourHubDbContext db, CancellationToken ct)
    {
        var v = new Validation();
        var c = EnumQuery.Parse<LedgerCategory>("category", category, v);
        var (p, s) = Paging.Normalize(page, pageSize, v);
        return v.IsValid ? TypedResults.Ok(await TimeBankQueries.LedgerPageAsync(db, c, accountId, p, s, ct)) : v.Problem();
    }

    /// <summary>The ledger the caller may see (newest 50,000 postings) as an Excel sheet; the export is audited.</summary>
    private static async Task<FileContentHttpResult> ExportLedger(NeighbourHubDbContext db, CancellationToken ct)
    {
        var rows = await TimeBankQueries.LedgerListAsync(db, 50_000, ct);
        db.Audit("timebank.ledger.export", "LedgerTransaction", null, new { rows = rows.Count });
        await db.SaveChangesAsync(ct);
        return Spreadsheet.File("时间银行流水.xlsx", rows,
            new("流水号", r => r.TransactionId),
            new("时间", r => r.At.Show()),
            new("类别", r => TimeBankTexts.Category(r.Category)),
            new("账户", r => r.Owner),
            new("积分", r => r.Amount),
            new("说明", r => r.Memo));
    }

    private static async Task<Results<Ok<Paged<AdminRedemptionRow>>, ValidationProblem>> Redemptions(
        string? status, int? page, int? pageSize, NeighbourHubDbContext db, CancellationToken ct)
    {
        var v = new Validation();
        var st = EnumQuery.Parse<RedemptionStatus>("status", status, v);
        var (p, s) = Paging.Normalize(page, pageSize, v);
        if (!v.IsValid)
        {
            return v.Problem();
        }

        return TypedResults.Ok(await TimeBankQueries.RedemptionPageAsync(db, st, p, s, ct));
    }
}

public sealed record CreatedIdAnswer(long Id);
