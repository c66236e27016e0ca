using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Hosting;
using NeighbourHub.Web.Transparency;

namespace NeighbourHub.Web.Features.Fund;

public sealed record CommonIncomeBody(long? AmountFen, string? Category, string? Memo, string? Counterparty, IReadOnlyList<string>? AttachmentIds);

public sealed record RemunerationBody(int? RemunerationBp);

// The answers of the writes below (named, not anonymous: the Request Delegate Generator must name every result type).

/// <summary>A question asked; <paramref name="Held"/> while staff review it before it is public.</summary>
public sealed record QuestionAsked(long Id, DateTimeOffset AskedAt, string AskedBy, string Text, bool Held, string Message);

public sealed record QuestionAnswered(long Id, string? Answer, DateTimeOffset? AnsweredAt, string? AnsweredBy);

/// <summary>An expense proposed: its status on the wire, how many approvals it needs, and whether it goes over the year's plan.</summary>
public sealed record ExpenseProposed(long Id, string Status, int ApprovalsRequired, bool OverPlan);

public sealed record RemunerationView(int? RemunerationBp);

/// <summary>The consistency proof between two tree sizes of the fund's log (RFC 9162), as hashes.</summary>
public sealed record ConsistencyView(long? First, long? Second, List<string> Path);

/// <summary>
/// The owners' fund over HTTP (API.md "Owners' fund"). Residents of the estate and its staff read the same
/// routes (under /api/v1 and /api/v1/admin); the trustee and the committee act under /api/v1/admin. Keys are public.
/// </summary>
public static class FundApi
{
    public static IEndpointRouteBuilder MapFundApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/fund/keys", (HeadSigner signer) => TypedResults.Ok(signer.Keys))
            .AllowAnonymous().WithTags("Owners' fund");

        MapReads(app.MapGroup("/api/v1/estates/{estateId:long}/fund").WithTags("Owners' fund").RequireAuthorization(Policies.Resident).AddEndpointFilter(EstateInScope));
        var staff = app.MapGroup("/api/v1/admin/estates/{estateId:long}/fund").WithTags("Admin owners' fund").RequireAuthorization(Policies.Admin).AddEndpointFilter(EstateInScope);
        MapReads(staff);

        app.MapPost("/api/v1/estates/{estateId:long}/fund/expenses/{id:long}/questions",
                async (long estateId, long id, QuestionBody? body, HttpRequest request, NeighbourHubDbContext db, FundQuestions questions, FundQueries queries, CancellationToken ct) =>
                {
                    var q = await questions.AskAsync(db, estateId, id, body, Idempotency.KeyOf(request), ct);
                    return TypedResults.Created($"/api/v1/estates/{estateId}/fund/expenses/{id}", new QuestionAsked(q.Id, q.AskedAt, q.AskedBy, q.Text,
                        q.Status == QuestionStatus.Held,
                        q.Status == QuestionStatus.Held ? "质询已提交，待工作人员审核后公开。" : "质询已公开，物业须在规定时间内答复。"));
                })
            .RequireAuthorization(Policies.Resident).AddEndpointFilter(EstateInScope).WithTags("Owners' fund");

        staff.MapPost("/income", async (long estateId, CommonIncomeBody? body, HttpRequest request, NeighbourHubDbContext db, FundIncome income, FundQueries queries, CancellationToken ct) =>
        {
            var entry = await income.RecordCommonIncomeAsync(db, estateId, body, Idempotency.KeyOf(request) ?? "", ct);
            return TypedResults.Created($"/api/v1/admin/estates/{estateId}/fund/entries/{entry.Seq}", (await queries.EntryAsync(db, estateId, entry.Seq, ct)).Entry);
        });
        staff.MapPost("/entries/{seq:long}/reverse", async (long estateId, long seq, ReasonBody? body, NeighbourHubDbContext db, FundIncome income, FundQueries queries, CancellationToken ct) =>
        {
            var entry = await income.ReverseAsync(db, estateId, seq, body?.Reason, ct);
            return TypedResults.Created($"/api/v1/admin/estates/{estateId}/fund/entries/{entry.Seq}", (await queries.EntryAsync(db, estateId, entry.Seq, ct)).Entry);
        });
        staff.MapPost("/expenses", async (long estateId, ProposeExpenseBody? body, HttpRequest request, NeighbourHubDbContext db, FundExpenses expenses, CancellationToken ct) =>
        {
            var e = await expenses.ProposeAsync(db, estateId, body, Idempotency.KeyOf(request) ?? "", ct);
            return TypedResults.Created($"/api/v1/admin/estates/{estateId}/fund/expenses/{e.Id}", new ExpenseProposed(e.Id, FundExpense.Wire(e.Status), e.ApprovalsRequired, e.OverPlan));
        });
        staff.MapPost("/expenses/{id:long}/approve", async (long estateId, long id, NeighbourHubDbContext db, FundExpenses expenses, FundQueries queries, CancellationToken ct) =>
        {
            await expenses.ApproveAsync(db, estateId, id, ct);
            return TypedResults.Ok(await queries.ExpenseAsync(db, estateId, id, ct));
        });
        staff.MapPost("/expenses/{id:long}/reject", async (long estateId, long id, ReasonBody? body, NeighbourHubDbContext db, FundExpenses expenses, FundQueries queries, CancellationToken ct) =>
        {
            await expenses.RejectAsync(db, estateId, id, body?.Reason, ct);
            return TypedResults.Ok(await queries.ExpenseAsync(db, estateId, id, ct));
        });
        staff.MapPost("/expenses/{id:long}/cancel", async (long estateId, long id, ReasonBody? body, NeighbourHubDbContext db, FundExpenses expenses, FundQueries queries, CancellationToken ct) =>
        {
            await expenses.CancelAsync(db, estateId, id, body?.Reason, ct);
            return TypedResults.Ok(await queries.ExpenseAsync(db, estateId, id, ct));
        });
        staff.MapPost("/expenses/{id:long}/pay", async (long estateId, long id, PayExpenseBody? body, HttpRequest request, NeighbourHubDbContext db, FundExpenses expenses, FundQueries queries,
            CancellationToken ct) =>
        {
            await expenses.PayAsync(db, estateId, id, body, Idempotency.KeyOf(request) ?? "", ct);
            return TypedResults.Ok(await queries.ExpenseAsync(db, estateId, id, ct));
        });
        staff.MapGet("/questions", async (long estateId, bool? unanswered, NeighbourHubDbContext db, FundQueries queries, CancellationToken ct) =>
            TypedResults.Ok(await queries.QuestionsAsync(db, estateId, unanswered ?? false, ct)));
        staff.MapPost("/questions/{id:long}/answer", async (long estateId, long id, QuestionBody? body, NeighbourHubDbContext db, FundQuestions questions, CancellationToken ct) =>
        {
            var q = await questions.AnswerAsync(db, estateId, id, body, ct);
            return TypedResults.Ok(new QuestionAnswered(q.Id, q.Answer, q.AnsweredAt, q.AnsweredBy));
        });
        staff.MapPut("/budgets/{year:long}", async (long estateId, long year, BudgetBody? body, NeighbourHubDbContext db, FundBudgets budgets, FundQueries queries, CancellationToken ct) =>
        {
            await budgets.DraftAsync(db, estateId, Year(year), body, ct);
            return TypedResults.Ok(await queries.BudgetAsync(db, estateId, Year(year), ct));
        });
        staff.MapPost("/budgets/{year:long}/approve", async (long estateId, long year, NeighbourHubDbContext db, FundBudgets budgets, FundQueries queries, CancellationToken ct) =>
        {
            await budgets.ApproveAsync(db, estateId, Year(year), ct);
            return TypedResults.Ok(await queries.BudgetAsync(db, estateId, Year(year), ct));
        });
        staff.MapPut("/remuneration", async (long estateId, RemunerationBody? body, NeighbourHubDbContext db, FundRoles roles, FundLedger ledger, CancellationToken ct) =>
        {
            var v = new Validation().When(body?.RemunerationBp is null or < 0 or > 3000, "remunerationBp", "酬金比例以万分之一计，应在 0–3000（0%–30%）之间。");
            if (!v.IsValid)
            {
                throw new RequestValidationException(v);
            }

            await roles.CommitteeAsync(db, estateId, ct);
            await ledger.SetRemunerationAsync(db, estateId, body!.RemunerationBp!.Value, ct);
            return TypedResults.Ok(new RemunerationView(body.RemunerationBp));
        });

        // The console's downloads (cookie-signed-in staff).
        app.MapGet("/admin/files/fund/{estateId:long}/statements/{month}", (long estateId, string month, NeighbourHubDbContext db, FundStatements statements, CancellationToken ct) =>
            StatementFile(estateId, month, db, statements, ct)).RequireAuthorization(Policies.Admin).ExcludeFromDescription();
        app.MapGet("/admin/files/fund/{estateId:long}/ledger.xlsx", async (long estateId, string? kind, string? category, DateOnly? from, DateOnly? to, NeighbourHubDbContext db,
            FundQueries queries, CancellationToken ct) =>
        {
            if (from is { Year: < 2000 or > 2100 } || to is { Year: < 2000 or > 2100 })
            {
                throw new DomainValidationException("from", "日期应在 2000–2100 年之间。");
            }

            var rows = await queries.AllEntriesAsync(db, estateId, CheckKind(kind), category, from, to, ct);
            var estate = await db.Estates.Where(e => e.Id == estateId).Select(e => e.Name).SingleAsync(ct);
            return Spreadsheet.File($"{estate}-基金流水.xlsx", rows,
                new("序号", r => r.Seq), new("时间", r => r.At.Show()), new("类型", r => r.KindName), new("类别", r => r.CategoryName),
                new("金额（元）", r => r.AmountFen / 100m), new("对方", r => r.Counterparty), new("说明", r => r.Memo), new("记账人", r => r.RecordedBy),
                new("叶子哈希", r => r.LeafHash));
        }).RequireAuthorization(Policies.Admin).ExcludeFromDescription();
        return app;
    }

    private static void MapReads(RouteGroupBuilder g)
    {
        g.MapGet("", async (long estateId, NeighbourHubDbContext db, FundQueries queries, CancellationToken ct) => TypedResults.Ok(await queries.SummaryAsync(db, estateId, ct)));
        g.MapGet("/entries", async (long estateId, string? kind, string? category, DateOnly? from, DateOnly? to, int? page, int? pageSize, NeighbourHubDbContext db,
            FundQueries queries, CancellationToken ct) =>
        {
            var v = new Validation();
            var (p, s) = Paging.Normalize(page, pageSize, v);
            v.When(kind is not null && !FundQueries.Kinds.Contains(kind), "kind", "kind 只能是 income、expense、remuneration 或 reversal。")
             .When(category?.Length > 32, "category", "类别最多 32 个字符。")
             .When(from is { Year: < 2000 or > 2100 }, "from", "开始日期应在 2000–2100 年之间。")
             .When(to is { Year: < 2000 or > 2100 }, "to", "结束日期应在 2000–2100 年之间。")
             .When(from is { } f && to is { } t && f > t, "from", "开始日期不能晚于结束日期。");
            if (!v.IsValid)
            {
                throw new RequestValidationException(v);
            }

            return TypedResults.Ok(await queries.EntriesAsync(db, estateId, kind, category, from, to, p, s, ct));
        });
        g.MapGet("/entries/{seq:long}", async (long estateId, long seq, NeighbourHubDbContext db, FundQueries queries, CancellationToken ct) =>
            TypedResults.Ok(await queries.EntryAsync(db, estateId, seq, ct)));
        g.MapGet("/head", async (long estateId, NeighbourHubDbContext db, FundQueries queries, CancellationToken ct) => TypedResults.Ok(await queries.HeadAsync(db, estateId, ct)));
        g.MapGet("/consistency", async (long estateId, long? first, long? second, NeighbourHubDbContext db, FundQueries queries, CancellationToken ct) =>
        {
            var v = new Validation().Required("first", first).Required("second", second);
            if (!v.IsValid)
            {
                throw new RequestValidationException(v);
            }

            return TypedResults.Ok(new ConsistencyView(first, second, await queries.ConsistencyAsync(db, estateId, first!.Value, second!.Value, ct)));
        });
        g.MapGet("/verify", async (long estateId, NeighbourHubDbContext db, FundQueries queries, CancellationToken ct) => TypedResults.Ok(await queries.VerifyAsync(db, estateId, ct)));
        g.MapGet("/export", (long estateId, HttpContext http, NeighbourHubDbContext db, FundQueries queries, CancellationToken ct) => Export(estateId, http, db, queries, ct));
        g.MapGet("/expenses", async (long estateId, string? status, NeighbourHubDbContext db, FundQueries queries, CancellationToken ct) =>
        {
            ExpenseStatus? s = null;
            if (status is not null)
            {
                if (!Enum.TryParse<ExpenseStatus>(status, ignoreCase: true, out var parsed) || int.TryParse(status, out _))
                {
                    throw new DomainValidationException("status", "status 只能是 proposed、approved、rejected、paid 或 cancelled。");
                }

                s = parsed;
            }

            return TypedResults.Ok(await queries.ExpensesAsync(db, estateId, s, ct));
        });
        g.MapGet("/expenses/{id:long}", async (long estateId, long id, NeighbourHubDbContext db, FundQueries queries, CancellationToken ct) =>
            TypedResults.Ok(await queries.ExpenseAsync(db, estateId, id, ct)));
        g.MapGet("/budgets/{year:long}", async (long estateId, long year, NeighbourHubDbContext db, FundQueries queries, CancellationToken ct) =>
        {
            return await queries.BudgetAsync(db, estateId, Year(year), ct) is { } b ? Results.Ok(b) : throw new NotFoundException($"{year} 年预算");
        });
        g.MapGet("/statements", async (long estateId, NeighbourHubDbContext db, FundStatements statements, CancellationToken ct) =>
        {
            FundQueries.CheckEstate(db, estateId);
            return TypedResults.Ok(await statements.MonthsAsync(db, estateId, ct));
        });
        g.MapGet("/statements/{month}", (long estateId, string month, NeighbourHubDbContext db, FundStatements statements, CancellationToken ct) =>
            StatementFile(estateId, month, db, statements, ct));
    }

    /// <summary>
    /// An estate outside the caller's scope is "not found" before anything else is looked at — the body, the
    /// query, the rest of the route — so no answer tells a stranger more than that.
    /// </summary>
    private static ValueTask<object?> EstateInScope(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var scope = http.RequestServices.GetRequiredService<CurrentScope>().Value;
        if (!long.TryParse(http.GetRouteValue("estateId")?.ToString(), out var estateId) || !scope.CanSeeEstate(estateId))
        {
            throw new NotFoundException("小区基金");
        }

        return next(context);
    }

    /// <summary>A year in a route: one the budget could be for, or no such budget.</summary>
    private static int Year(long year) => year is >= 2000 and <= 2100 ? (int)year : throw new NotFoundException($"{year} 年预算");


    private static string? CheckKind(string? kind) =>
        kind is null || FundQueries.Kinds.Contains(kind) ? kind : throw new DomainValidationException("kind", "kind 只能是 income、expense、remuneration 或 reversal。");

    /// <summary>"2026-11" answers JSON; "2026-11.xlsx" the spreadsheet.</summary>
    private static async Task<IResult> StatementFile(long estateId, string month, NeighbourHubDbContext db, FundStatements statements, CancellationToken ct)
    {
        FundQueries.CheckEstate(db, estateId);
        var xlsx = month.EndsWith(".xlsx", StringComparison.OrdinalIgnoreCase);
        var key = xlsx ? month[..^5] : month;
        if (!FundStatements.TryParseMonth(key, out var y, out var m))
        {
            throw new DomainValidationException("month", "月份格式应为 yyyy-MM，例如 2026-11。");
        }

        var view = await statements.GetAsync(db, estateId, y, m, ct) ?? throw new NotFoundException($"{key} 的月报");
        if (!xlsx)
        {
            return Results.Ok(view);
        }

        List<(string Item, string Detail, long? Fen)> rows = [("期初余额", "", view.OpeningFen)];
        rows.AddRange(view.Income.Select(i => ("收入", i.Name, (long?)i.AmountFen)));
        rows.Add(("物业酬金", "", -view.RemunerationFen));
        rows.AddRange(view.Expenses.Select(e => ("支出", e.Name, (long?)-e.SpentFen)));
        rows.Add(("冲正", "", view.ReversalFen));
        rows.Add(("期末余额", "", view.ClosingFen));
        rows.Add(("月末签名树头", $"共 {view.Head.TreeSize} 条，根哈希 {view.Head.RootHash}，时间 {view.Head.Timestamp}，密钥 {view.Head.KeyId}", null));
        rows.Add(("签名", view.Head.Signature, null));
        return Spreadsheet.File($"{view.EstateName}-基金月报-{view.Month}{(view.Final ? "" : "（未结）")}.xlsx", rows,
            new("项目", r => r.Item), new("明细", r => r.Detail), new("金额（元）", r => r.Fen / 100m));
    }

    /// <summary>JSON lines {"seq":…,"leaf":"base64"}, streamed: a million entries never sit in memory at once.</summary>
    private static async Task Export(long estateId, HttpContext http, NeighbourHubDbContext db, FundQueries queries, CancellationToken ct)
    {
        FundQueries.CheckEstate(db, estateId);
        http.Response.ContentType = "application/jsonl; charset=utf-8";
        http.Response.Headers.ContentDisposition = $"attachment; filename=fund-{estateId}-leaves.jsonl";
        var line = new StringBuilder();
        await foreach (var (seq, leaf) in queries.ExportAsync(db, estateId, ct))
        {
            line.Clear().Append("{\"seq\":").Append(seq.ToString(CultureInfo.InvariantCulture)).Append(",\"leaf\":\"").Append(Convert.ToBase64String(leaf)).Append("\"}\n");
            await http.Response.WriteAsync(line.ToString(), ct);
        }
    }
}
