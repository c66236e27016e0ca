using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;

namespace NeighbourHub.Web.Tenancy;

/// <summary>
/// Every deliberate exception to the tenancy filters, by reason. A query lifts the filters only through
/// <see cref="UnscopedQueries.Unscoped"/> with one of these; a reason not listed here is a design question,
/// not a new member to add in passing. Lifting the filters lifts them for the whole query (EF Core has no
/// per-table switch), so such a query carries its own explicit condition.
/// </summary>
public enum Because
{
    /// <summary>
    /// The estate and household directory a resident searches to find their flat before any residence is
    /// approved: estate, community, building and unit names, rooms and areas, never who lives there.
    /// </summary>
    ResidentsFindTheirFlat,

    /// <summary>
    /// An applicant redeems an invite code for a household they cannot see yet: knowing the code is the
    /// permission; it must match the household, and a conditional update uses it once.
    /// </summary>
    InviteCodeIsTheKey,

    /// <summary>
    /// A unique key holds across all rows (one live application per resident and household, one account per
    /// owner): finding the clash or the existing row must look at every row, not only the visible ones.
    /// </summary>
    UniqueKeysSpanAllRows,

    /// <summary>
    /// An idempotency key or source reference (which embeds the caller's id or the source) is looked up
    /// among all rows, so a replay returns the first answer whoever's scope wrote it.
    /// </summary>
    IdempotentReplay,

    /// <summary>
    /// Keyed on one resident's own id: their applications, pending ones included, and the names of the homes
    /// they point to (household, building, unit, estate, community), e.g. to check event eligibility; the bills of
    /// the homes where their residence is approved.
    /// </summary>
    ResidentsOwnHomes,

    /// <summary>
    /// The row was already found through its filter (or by the caller's own id); these are its labels and
    /// parts: its estate, rooms, category, timeline and photos, a receipt's lines, the reward a redemption was
    /// for, the estate, grid or firm KPIs are grouped by, the approved residents of households whose bills are shown, the figures of
    /// an estate's fund once the estate is checked in scope.
    /// </summary>
    DetailsOfARowInScope,

    /// <summary>
    /// Who may be assigned in an estate the caller sees: the firm serving it today and its grid workers, whose
    /// contracts and buildings the caller's own scope may not include.
    /// </summary>
    StaffOfAnEstateInScope,

    /// <summary>
    /// Seats, the waiting list and attendance are shared by everyone signed up: cancelling one's own seat
    /// promotes the next in line, a place in line counts the others, cancelling or completing an event reaches all.
    /// </summary>
    EventSeatsAreShared,

    /// <summary>
    /// Points and stock move between accounts and rows the caller may not read (the community pool, the other
    /// party, a reward's stock), by conditional updates that keep balances and stock from going below their floor;
    /// a redemption locks the resident's account and counts their per-person limit in the same transaction.
    /// </summary>
    PointsMoveBetweenScopes,

    /// <summary>
    /// A volunteer's standing and record (approved in the order's community; points earned, orders done,
    /// average stars) counts every order and account; whose record is shown is decided first from visible profiles.
    /// </summary>
    VolunteerRecord,

    /// <summary>
    /// Totals over the ledger: the books balance only as a whole (verification), and the monthly leaderboard
    /// sums every resident's postings in one community whose office the caller runs.
    /// </summary>
    LedgerTotals,

    /// <summary>
    /// Whether a file is attached is a fact about every repair, not only those the uploader can see; unattached
    /// files are counted, deleted and cleaned up on that basis.
    /// </summary>
    FileAttachmentIsGlobal,

    /// <summary>
    /// A voter's ballot is shared by everyone in it: co-owners see the one cast for their flat whoever cast it, a second
    /// ballot of the voter (any channel) must find the first, and a proxy's count spans the vote. Reached from the
    /// caller's own electorate row or a vote they organise; the option is never read here.
    /// </summary>
    VotersOwnBallot,
    /// <summary>
    /// Once a vote is closed its tally — receipt, option, area and channel of every ballot, no names or flats — is public
    /// to everyone who sees the vote, so anyone can recount and every voter find their own.
    /// </summary>
    PublishedTally,
    /// <summary>The demo data is written by the system on start, before any real tenant exists.</summary>
    DemoSeeding,
}

public static class UnscopedQueries
{
    /// <summary>
    /// The one way to lift the tenancy filters: for the whole query, for a listed reason. The reason is also
    /// written into the SQL as a comment, so a slow-query log says why a query ran unscoped.
    /// </summary>
    public static IQueryable<T> Unscoped<T>(this IQueryable<T> source, Because reason)
        where T : class =>
        source.IgnoreQueryFilters().TagWith(Tags[(int)reason]);

    /// <summary>
    /// A query to compile (<c>EF.CompileAsyncQuery(UnscopedQueries.Expand(…))</c>) that may lift the filters through
    /// <see cref="Unscoped{T}"/>. EF translates a compiled query once, where a LINQ query has its expression tree
    /// walked, hashed and looked up on every execution — half the app's time on the fund page, whose one query has a
    /// dozen subqueries. EF cannot translate a call to <see cref="Unscoped{T}"/> itself, so each is replaced by what it
    /// does; the reason stays in the SQL as a comment.
    /// </summary>
    public static Expression<Func<TContext, T1, TResult>> Expand<TContext, T1, TResult>(Expression<Func<TContext, T1, TResult>> query) => Rewrite(query);

    /// <inheritdoc cref="Expand{TContext, T1, TResult}"/>
    public static Expression<Func<TContext, T1, T2, TResult>> Expand<TContext, T1, T2, TResult>(Expression<Func<TContext, T1, T2, TResult>> query) => Rewrite(query);

    /// <inheritdoc cref="Expand{TContext, T1, TResult}"/>
    public static Expression<Func<TContext, T1, T2, T3, TResult>> Expand<TContext, T1, T2, T3, TResult>(Expression<Func<TContext, T1, T2, T3, TResult>> query) =>
        Rewrite(query);

    /// <inheritdoc cref="Expand{TContext, T1, TResult}"/>
    public static Expression<Func<TContext, T1, T2, T3, T4, TResult>> Expand<TContext, T1, T2, T3, T4, TResult>(
        Expression<Func<TContext, T1, T2, T3, T4, TResult>> query) => Rewrite(query);

    private static Expression<TQuery> Rewrite<TQuery>(Expression<TQuery> query)
        where TQuery : Delegate =>
        (Expression<TQuery>)new UnscopedExpander().Visit(query);

    /// <summary>Rewrites <c>source.Unscoped(reason)</c> to <c>source.IgnoreQueryFilters().TagWith(tag)</c>.</summary>
    private sealed class UnscopedExpander : ExpressionVisitor
    {
        protected override Expression VisitMethodCall(MethodCallExpression node)
        {
            if (node.Method.DeclaringType != typeof(UnscopedQueries) || node.Method.Name != nameof(Unscoped))
            {
                return base.VisitMethodCall(node);
            }

            if (node.Arguments[1] is not ConstantExpression { Value: Because reason })
            {
                throw new InvalidOperationException("A compiled query names its reason for Unscoped as a constant.");
            }

            var entity = node.Method.GetGenericArguments()[0];
            var source = Visit(node.Arguments[0]);
            var ignored = Expression.Call(typeof(EntityFrameworkQueryableExtensions), nameof(EntityFrameworkQueryableExtensions.IgnoreQueryFilters), [entity], source);
            return Expression.Call(typeof(EntityFrameworkQueryableExtensions), nameof(EntityFrameworkQueryableExtensions.TagWith), [entity], ignored,
                Expression.Constant(Tags[(int)reason]));
        }
    }

    // One string per reason, so tagging allocates nothing per query.
    private static readonly string[] Tags = Enum.GetValues<Because>().Select(r => $"unscoped: {r}").ToArray();
}
