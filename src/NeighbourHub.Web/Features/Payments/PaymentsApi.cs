using System.Text;
using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Hosting;
using NeighbourHub.Web.Tenancy;
using NeighbourHub.WeChat.Pay;

namespace NeighbourHub.Web.Features.Payments;

public sealed record PayBody(IReadOnlyList<long>? BillIds);

public sealed record OfflineBody(string? Channel, string? Reference);

/// <summary>One counter payment for several bills of one household.</summary>
public sealed record CounterPaymentBody(IReadOnlyList<long>? BillIds, string? Channel, string? Reference);

public sealed record RefundBody(long? BillId, long? AmountFen, string? Reason);

/// <summary>
/// Residents pay bills with WeChat Pay; WeChat calls back; staff record offline money and refund. Handlers only
/// bind HTTP: reads are <see cref="PaymentQueries"/>, writes <see cref="PaymentService"/> and <see cref="StaffPayments"/>,
/// the same doors the console uses.
/// </summary>
public static class PaymentsApi
{
    public static IEndpointRouteBuilder MapPaymentsApi(this IEndpointRouteBuilder app)
    {
        var residents = app.MapGroup("/api/v1").WithTags("Bills and payments").RequireAuthorization(Policies.Resident);
        residents.MapPost("/payments", Pay);
        residents.MapGet("/payments/{id:long}", async (long id, NeighbourHubDbContext db, CurrentScope s, CancellationToken ct) =>
            await PaymentQueries.ViewAsync(db, id, s.Value.ResidentId, ct) is { } v ? Results.Ok(v) : Results.NotFound());
        residents.MapPost("/payments/{id:long}/cancel", async (long id, NeighbourHubDbContext db, CurrentScope s, PaymentService p, CancellationToken ct) =>
        {
            await p.CancelAsync(db, id, s.Value.ResidentId!.Value, ct);
            return Results.Ok(await PaymentQueries.ViewAsync(db, id, s.Value.ResidentId, ct));
        });
        residents.MapGet("/payments/{id:long}/receipt", async (long id, NeighbourHubDbContext db, CancellationToken ct) =>
            await PaymentQueries.ReceiptAsync(db, id, ct) is { } r ? Results.Ok(r) : Results.NotFound());
        residents.MapPost("/payments/{id:long}/sandbox-pay", SandboxPay).WithDescription("Sandbox only: the resident \"pays\" and a signed callback is delivered.");

        // WeChat calls these; the signature is the authentication.
        app.MapPost("/api/v1/payments/wechat/notify", Notify).AllowAnonymous().DisableAntiforgery().WithTags("Bills and payments");
        app.MapPost("/api/v1/payments/wechat/refund-notify", Notify).AllowAnonymous().DisableAntiforgery().WithTags("Bills and payments");

        var staff = app.MapGroup("/api/v1/admin").WithTags("Admin billing").RequireAuthorization(Policies.ManageBilling);
        staff.MapPost("/bills/{id:long}/offline-payment", Offline);
        staff.MapPost("/offline-payments", async (CounterPaymentBody? body, HttpRequest request, NeighbourHubDbContext db, StaffPayments staff, CancellationToken ct) =>
        {
            var payment = await staff.RecordOfflineAsync(db, body?.BillIds, OfflineChannel(body?.Channel), body?.Reference, ct, Idempotency.KeyOf(request));
            return Results.Ok(await PaymentQueries.ViewAsync(db, payment.Id, null, ct));
        }).WithSummary("柜台一次收取同一户的多张账单（现金或转账），一笔收款、一张收据");
        staff.MapPost("/payments/{id:long}/refund", RefundPayment);
        staff.MapGet("/payments/{id:long}", async (long id, NeighbourHubDbContext db, CancellationToken ct) =>
            await PaymentQueries.ViewAsync(db, id, null, ct) is { } v ? Results.Ok(v) : Results.NotFound());
        staff.MapGet("/payments/{id:long}/receipt", async (long id, NeighbourHubDbContext db, CancellationToken ct) =>
            await PaymentQueries.ReceiptAsync(db, id, ct) is { } r ? Results.Ok(r) : Results.NotFound());
        staff.MapGet("/billing/daily-report", async (DateOnly? from, DateOnly? to, long? estateId, NeighbourHubDbContext db, TimeProvider clock, CancellationToken ct) =>
        {
            var (f, t, v) = ReportDays(from, to, clock);
            return v.IsValid ? Results.Ok(await PaymentQueries.DailyReportAsync(db, f, t, estateId, ct)) : v.Problem();
        }).WithSummary("收款日报：按日、按小区，微信支付/现金/转账、退款与净额（分）");

        // Downloads for the console (cookie-authenticated, so outside the API's description).
        app.MapGet("/admin/files/billing/daily-report.xlsx", async Task<IResult> (DateOnly? from, DateOnly? to, long? estateId, NeighbourHubDbContext db, TimeProvider clock,
            CancellationToken ct) =>
        {
            var (f, t, v) = ReportDays(from, to, clock);
            if (!v.IsValid)
            {
                return v.Problem();
            }

            var rows = await PaymentQueries.DailyReportAsync(db, f, t, estateId, ct);
            return Spreadsheet.File($"收款日报_{f:yyyy-MM-dd}至{t:yyyy-MM-dd}.xlsx", rows,
                new("日期", r => r.Day.ToString("yyyy-MM-dd")),
                new("小区", r => r.Estate),
                new("微信支付（元）", r => r.WeChatFen / 100m),
                new("微信支付笔数", r => r.WeChatCount),
                new("现金（元）", r => r.CashFen / 100m),
                new("现金笔数", r => r.CashCount),
                new("银行转账（元）", r => r.TransferFen / 100m),
                new("转账笔数", r => r.TransferCount),
                new("收款合计（元）", r => r.CollectedFen / 100m),
                new("退款（元）", r => r.RefundFen / 100m),
                new("退款笔数", r => r.RefundCount),
                new("净额（元）", r => r.NetFen / 100m));
        }).RequireAuthorization(Policies.ManageBilling).ExcludeFromDescription();
        app.MapGet("/admin/files/billing/payments.xlsx", async Task<IResult> (DateOnly? from, DateOnly? to, long? estateId, NeighbourHubDbContext db, TimeProvider clock,
            CancellationToken ct) =>
        {
            var (f, t, v) = ReportDays(from, to, clock);
            if (!v.IsValid)
            {
                return v.Problem();
            }

            var rows = await PaymentQueries.CollectedAsync(db, f, t, estateId, ct);
            return Spreadsheet.File($"收款记录_{f:yyyy-MM-dd}至{t:yyyy-MM-dd}.xlsx", rows,
                new("收款时间", r => r.PaidAt?.Show("yyyy-MM-dd HH:mm:ss")),
                new("小区", r => r.Estate),
                new("房屋", r => r.Household),
                new("方式", r => StatusTexts.Of(r.Channel)),
                new("金额（元）", r => r.AmountFen / 100m),
                new("已退（元）", r => r.RefundedFen / 100m),
                new("状态", r => StatusTexts.Of(r.Status)),
                new("收据号", r => r.ReceiptNo),
                new("商户订单号", r => r.OutTradeNo),
                new("凭证", r => r.OfflineReference));
        }).RequireAuthorization(Policies.ManageBilling).ExcludeFromDescription();
        return app;
    }

    /// <summary>A report's days: today when not given, at most a year, the start not after the end.</summary>
    private static (DateOnly From, DateOnly To, Validation Problems) ReportDays(DateOnly? from, DateOnly? to, TimeProvider clock)
    {
        var today = clock.Today();
        var (f, t) = (from ?? to ?? today, to ?? from ?? today);
        var v = new Validation().Day("from", from).Day("to", to);
        if (!v.IsValid)
        {
            return (today, today, v);
        }

        v.When(f > t, "from", "开始日期不能晚于结束日期。")
            .When(t.DayNumber - f.DayNumber > 366, "to", "一次最多查询一年（366 天）。");
        return (f, t, v);
    }

    private static async Task<IResult> Pay(PayBody? body, HttpRequest request, NeighbourHubDbContext db, CurrentScope scope, PaymentService payments, CancellationToken ct)
    {
        var key = request.Headers[Idempotency.Header].ToString();
        var v = new Validation()
            .When(body?.BillIds is null or { Count: 0 }, "billIds", "请选择要缴纳的账单。")
            .When(body?.BillIds is { Count: > 50 }, "billIds", "一次最多缴纳 50 张账单。")
            .When(body?.BillIds?.Any(id => id <= 0) == true, "billIds", "账单编号必须是正整数。")
            .When(string.IsNullOrWhiteSpace(key) || key.Length > Idempotency.MaxKeyLength, Idempotency.Header, "请在请求头中携带 Idempotency-Key（1–64 个字符），每笔新的支付使用新的值。");
        if (!v.IsValid)
        {
            return v.Problem();
        }

        var residentId = scope.Value.ResidentId!.Value;
        var openId = await db.Residents.Where(r => r.Id == residentId).Select(r => r.OpenId).SingleAsync(ct);
        try
        {
            var created = await payments.CreateAsync(db, residentId, openId, body!.BillIds!, key, ct);
            return Results.Created($"/api/v1/payments/{created.PaymentId}", created);
        }
        catch (WeChatPayUnavailableException e)
        {
            return Results.Problem(statusCode: 502, title: "微信支付暂时不可用。", detail: e.Message);
        }
    }

    private static async Task<IResult> SandboxPay(long id, NeighbourHubDbContext db, CurrentScope scope, IWeChatPay wechat, PaymentNotifications notifications,
        CancellationToken ct)
    {
        if (wechat is not SandboxWeChatPay sandbox)
        {
            return Results.NotFound();
        }

        var payment = await db.Payments.AsNoTracking().SingleOrDefaultAsync(p => p.Id == id && p.ResidentId == scope.Value.ResidentId, ct);
        if (payment is null)
        {
            return Results.NotFound();
        }

        var (headers, body) = sandbox.Pay(payment.OutTradeNo);
        // The very same path a real callback takes: signature, decryption, checks, apply once.
        var answer = await notifications.HandleAsync(headers, body, ct);
        return answer.Status == 204 ? Results.Ok(await PaymentQueries.ViewAsync(db, id, null, ct)) : Results.Problem(statusCode: 409, detail: answer.Message);
    }

    /// <summary>Reads the raw body exactly as sent (the signature covers those bytes) and answers as WeChat expects.</summary>
    private static async Task<IResult> Notify(HttpRequest request, PaymentNotifications notifications, CancellationToken ct)
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var raw = await reader.ReadToEndAsync(ct);
        var h = request.Headers;
        var answer = await notifications.HandleAsync(new SignatureHeaders(h[SignatureHeaders.TimestampHeader], h[SignatureHeaders.NonceHeader],
            h[SignatureHeaders.SignatureHeader], h[SignatureHeaders.SerialHeader]), raw, ct);
        return answer.Status == 204
            ? Results.NoContent()
            : Results.Json(new { code = "FAIL", message = answer.Message }, statusCode: answer.Status);
    }

    /// <summary>The optional Idempotency-Key of staff money steps (the services check its length).</summary>

    private static async Task<IResult> Offline(long id, OfflineBody? body, HttpRequest request, NeighbourHubDbContext db, StaffPayments staff, CancellationToken ct)
    {
        var payment = await staff.RecordOfflineAsync(db, id, OfflineChannel(body?.Channel), body?.Reference, ct, Idempotency.KeyOf(request));
        return Results.Ok(await PaymentQueries.ViewAsync(db, payment.Id, null, ct));
    }

    private static PaymentChannel? OfflineChannel(string? channel) =>
        channel switch { "cash" => PaymentChannel.Cash, "bankTransfer" => PaymentChannel.BankTransfer, _ => null };

    private static async Task<IResult> RefundPayment(long id, RefundBody? body, HttpRequest request, NeighbourHubDbContext db, StaffPayments staff, CancellationToken ct)
    {
        var refund = await staff.RefundAsync(db, id, body?.BillId, body?.AmountFen, body?.Reason, ct, Idempotency.KeyOf(request));
        return Results.Ok(new { refund.Id, refund.OutRefundNo, status = refund.Status.ToString().ToLowerInvariant(), refund.AmountFen, payment = await PaymentQueries.ViewAsync(db, id, null, ct) });
    }
}
