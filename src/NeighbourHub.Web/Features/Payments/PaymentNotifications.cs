using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Tenancy;
using NeighbourHub.WeChat.Pay;

namespace NeighbourHub.Web.Features.Payments;

/// <summary>What to answer WeChat: 204 when done; otherwise a 4xx/5xx with <c>{"code":"FAIL","message":…}</c> (WeChat retries).</summary>
public sealed record NotifyAnswer(int Status, string? Message)
{
    public static readonly NotifyAnswer Done = new(204, null);
}

/// <summary>
/// Payment and refund callbacks. Order of checks: signature over the raw body (with the key the serial
/// names, timestamp within 5 minutes, probes refused), AES-256-GCM decryption, then mchid/appid, order
/// and amount. Anything that fails changes nothing; a wrong amount is flagged for staff. Idempotent:
/// duplicates, even concurrent ones, find the payment already paid.
/// </summary>
public sealed class PaymentNotifications(
    IWeChatPay wechat, PaymentService payments, StaffPayments staff, Microsoft.EntityFrameworkCore.IDbContextFactory<NeighbourHubDbContext> contexts, TimeProvider clock,
    ILogger<PaymentNotifications> log)
{
    /// <summary>Handles one callback in a context of its own: the signature, not any caller, is the authority here.</summary>
    public async Task<NotifyAnswer> HandleAsync(SignatureHeaders headers, string rawBody, CancellationToken ct)
    {
        var opened = WeChatPayNotifications.Open(wechat.Keys, headers, rawBody, clock.GetUtcNow());
        if (!opened.Ok)
        {
            log.LogWarning("WeChat Pay callback refused: {Reason} (serial {Serial})", opened.Error, headers.Serial);
            return new NotifyAnswer(opened.Check == SignatureCheck.Valid ? 400 : 401, opened.Error);
        }

        await using var db = await contexts.CreateDbContextAsync(ct);
        db.Scope = CurrentScope.For(AccessScope.System);
        var envelope = opened.Envelope!;
        try
        {
            if (envelope.EventType.StartsWith("REFUND.", StringComparison.Ordinal))
            {
                var refund = JsonSerializer.Deserialize<WeChatRefund>(opened.PlainText!, WeChatPayJson.Options)!;
                await staff.ApplyRefundStateAsync(db, refund.OutRefundNo, refund.State, ct);
                return NotifyAnswer.Done;
            }

            var transaction = JsonSerializer.Deserialize<WeChatTransaction>(opened.PlainText!, WeChatPayJson.Options)!;
            var outcome = await payments.ApplyTransactionAsync(db, transaction, ct);
            if (!outcome.Ok)
            {
                log.LogWarning("WeChat Pay callback {Id} for {OutTradeNo} not applied: {Note}", envelope.Id, transaction.OutTradeNo, outcome.Note);
                return new NotifyAnswer(400, outcome.Note);
            }

            return NotifyAnswer.Done;
        }
        catch (JsonException)
        {
            return new NotifyAnswer(400, "the decrypted resource is not a transaction");
        }
    }
}

public sealed class ReconciliationOptions
{
    public const string SectionName = "WeChatPay:Reconciliation";

    /// <summary>How often each instance looks for pending orders. Zero disables the loop (tests call it).</summary>
    public double PollSeconds { get; set; } = 60;

    /// <summary>Orders pending longer than this are asked about (callbacks normally arrive within seconds).</summary>
    public double QueryAfterMinutes { get; set; } = 5;
}

/// <summary>
/// 对账: for orders still pending after a few minutes, ask WeChat (answers' signatures verified) and apply
/// what it says; close the expired ones so their bills can be paid again.
/// </summary>
public sealed class PaymentReconciliationJob(IServiceScopeFactory scopes, Microsoft.Extensions.Options.IOptions<ReconciliationOptions> options, TimeProvider clock,
    ILogger<PaymentReconciliationJob> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.PollSeconds <= 0)
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.PollSeconds), clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogError(e, "Payment reconciliation failed; trying again at the next tick");
            }
        }
    }

    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NeighbourHubDbContext>();
        db.Scope = CurrentScope.For(AccessScope.System);
        var payments = scope.ServiceProvider.GetRequiredService<PaymentService>();
        var now = clock.GetUtcNow();
        var before = now.AddMinutes(-options.Value.QueryAfterMinutes);
        var pending = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ToListAsync(
            db.Payments.Where(p => p.Status == PaymentStatus.Pending && p.Channel == PaymentChannel.WeChat && p.CreatedAt < before).OrderBy(p => p.Id).Take(200), ct);
        foreach (var p in pending)
        {
            try
            {
                var note = await payments.ReconcileAsync(db, p, closeIfUnpaid: p.ExpiresAt <= now, ct);
                log.LogInformation("Reconciled payment {Payment} ({OutTradeNo}): {Note}", p.Id, p.OutTradeNo, note);
            }
            catch (WeChatPayException e)
            {
                log.LogWarning(e, "Could not reconcile payment {Payment}", p.Id);
            }
        }

        return pending.Count;
    }
}
