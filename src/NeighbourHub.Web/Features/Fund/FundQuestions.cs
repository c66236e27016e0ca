using System.Globalization;
using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Moderation;
using NeighbourHub.Web.Features.Residents;
using NeighbourHub.Web.Hosting;

namespace NeighbourHub.Web.Features.Fund;

public sealed record QuestionBody(string? Text);

/// <summary>
/// 质询: an owner of the estate questions an expense; the trustee answers in public. The asker is shown by
/// building and unit only. Text is screened before neighbours see it.
/// </summary>
public sealed class FundQuestions(FundRoles roles, ContentScreen screen, FundExpenses expenses, TimeProvider clock)
{
    public async Task<FundQuestion> AskAsync(NeighbourHubDbContext db, long estateId, long expenseId, QuestionBody? body, string? idempotencyKey,
        CancellationToken ct)
    {
        var v = new Validation().Required("text", body?.Text, 500, "质询内容")
            .When(idempotencyKey?.Length > Idempotency.MaxKeyLength, Idempotency.Header, "Idempotency-Key 最多 64 个字符。");
        if (!v.IsValid)
        {
            throw new RequestValidationException(v);
        }

        var residentId = db.Scope.Value.ResidentId ?? throw new ForbiddenException("请使用居民账号提出质询。");
        await FundExpenses.FindAsync(db, estateId, expenseId, ct);
        if (idempotencyKey is not null && await db.FundQuestions.AsNoTracking().SingleOrDefaultAsync(q => q.ResidentId == residentId && q.IdempotencyKey == idempotencyKey, ct) is { } replay)
        {
            return replay;
        }

        var home = await (from r in db.Residences
                          where r.ResidentId == residentId && r.EstateId == estateId && r.Status == ResidenceStatus.Approved && r.Relation == ResidenceRelation.Owner
                          join h in db.Households on r.HouseholdId equals h.Id
                          join bu in db.Buildings on h.BuildingId equals bu.Id
                          join u in db.Units on h.UnitId equals u.Id
                          orderby r.Id
                          select bu.Name + u.Name).FirstOrDefaultAsync(ct)
            ?? throw new ForbiddenException("只有本小区已认证的业主可以对支出提出质询。");
        var openId = await db.Residents.Where(r => r.Id == residentId).Select(r => r.OpenId).SingleAsync(ct);
        var verdict = await screen.CheckAsync(openId, "text", body!.Text!.Trim(), ct);

        var question = new FundQuestion
        {
            EstateId = estateId,
            ExpenseId = expenseId,
            ResidentId = residentId,
            AskedBy = $"业主（{home}）",
            Text = body.Text.Trim(),
            Status = verdict == ScreenVerdict.Publish ? QuestionStatus.Published : QuestionStatus.Held,
            AskedAt = clock.StorableNow(),
            IdempotencyKey = idempotencyKey,
        };
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.FundQuestions.Add(question);
        if (question.Status == QuestionStatus.Published)
        {
            expenses.Step(db, expenseId, "questioned", question.AskedBy, question.Text);
        }

        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return question;
    }

    public async Task<FundQuestion> AnswerAsync(NeighbourHubDbContext db, long estateId, long questionId, QuestionBody? body, CancellationToken ct)
    {
        var v = new Validation().Required("text", body?.Text, 1000, "答复内容");
        if (!v.IsValid)
        {
            throw new RequestValidationException(v);
        }

        var role = await roles.TrusteeAsync(db, estateId, ct);
        var question = await db.FundQuestions.AsNoTracking().SingleOrDefaultAsync(q => q.Id == questionId && q.EstateId == estateId, ct) ?? throw new NotFoundException("质询");
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var now = clock.StorableNow();
        if (await db.FundQuestions.Where(q => q.Id == questionId && q.Answer == null).ExecuteUpdateAsync(u => u
                .SetProperty(q => q.Answer, body!.Text!.Trim()).SetProperty(q => q.AnsweredBy, role.Name).SetProperty(q => q.AnsweredAt, now)
                .SetProperty(q => q.Status, QuestionStatus.Published), ct) == 0)
        {
            throw new ConflictException("这条质询已经答复过了。");
        }

        if (question.ExpenseId is { } expenseId)
        {
            if (question.Status == QuestionStatus.Held)
            {
                expenses.Step(db, expenseId, "questioned", question.AskedBy, question.Text);
            }

            expenses.Step(db, expenseId, "answered", role.Name, body!.Text!.Trim());
        }

        db.Audit("fund.question.answer", nameof(FundQuestion), questionId.ToString(CultureInfo.InvariantCulture), new { estateId });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return await db.FundQuestions.AsNoTracking().SingleAsync(q => q.Id == questionId, ct);
    }
}
