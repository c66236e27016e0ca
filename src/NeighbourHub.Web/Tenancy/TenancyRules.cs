using System.Linq.Expressions;
using System.Reflection;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Query;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Audit;
using NeighbourHub.Web.Features.Events;
using NeighbourHub.Web.Features.Files;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Features.Notices;
using NeighbourHub.Web.Features.Notifications;
using NeighbourHub.Web.Features.Organisation;
using NeighbourHub.Web.Features.Residents;
using NeighbourHub.Web.Features.TimeBank;
using NeighbourHub.Web.Features.Topics;

namespace NeighbourHub.Web.Tenancy;

/// <summary>
/// Who sees which rows: the one place the DbContext's query filters come from.
/// <para>
/// <b>Scopes.</b> <see cref="AccessScopeResolver"/> turns the caller into an <see cref="AccessScope"/>:
/// </para>
/// <list type="bullet">
/// <item>a <b>platform admin</b> and <b>System</b> (jobs, seeding) are unrestricted; <b>nobody</b> sees nothing;</item>
/// <item><b>firm staff</b> see the estates their firm serves today (contract dates), a <b>grid worker</b> the estates of
/// the buildings their grid covers, a <b>committee member</b> their estate, a <b>community admin</b> every estate of their
/// community. In those estates staff see the directory, residence applications, repairs, fee items, bills, payments,
/// Open311 keys and events (and community-wide events and grids of those communities) — except that a grid worker, in an
/// estate seen only through their grid, sees the flats, residences, invite codes and flat repairs of the grid's buildings
/// only (<see cref="FlatData"/>, ADR 0009);</item>
/// <item>only a <b>community admin</b> also runs the community office: the time bank (accounts, ledger, rewards,
/// redemptions, volunteers, service orders). Firm, grid and committee staff see none of it (ADR 0004);</item>
/// <item>a <b>resident</b> sees the estates where a residence of theirs is approved (directory, repair categories),
/// their own rows (applications, repairs, payments, sign-ups, uploads, time-bank account, volunteer profile,
/// redemptions, service orders as requester or volunteer), the bills of their approved households, published
/// events they may join, the rewards of their communities and, as approved volunteers, their service orders.</item>
/// </list>
/// <para>
/// <b>Rows.</b> An entity declares what it belongs to (<see cref="IEstateOwned"/> and the other markers in
/// Ownership.cs, <see cref="OwningResidentAttribute"/> on a resident id); <see cref="Apply"/> turns each
/// declaration into one clause and ORs them. Rules that are more than ownership are written out in
/// <see cref="HandWritten"/>. An entity with neither fails the model build unless it is in
/// <see cref="Unfiltered"/> with its reason. Deliberate exceptions at query time go through
/// <see cref="UnscopedQueries.Unscoped"/>, whose reasons are listed in <see cref="Because"/>.
/// </para>
/// <para>
/// Filters read the scope through members of the context (<c>db.ScopeEstateIds</c>…), which EF Core turns
/// into parameters of the running context: the model and compiled queries are shared, never per scope.
/// An id outside the scope is simply not found, so the API answers 404 (ADR 0002).
/// </para>
/// </summary>
internal sealed class TenancyRules(NeighbourHubDbContext db)
{
    /// <summary>Entity types without a query filter, each with the reason it needs none.</summary>
    public static readonly IReadOnlyDictionary<Type, string> Unfiltered = new Dictionary<Type, string>
    {
        [typeof(Street)] = "Above every tenant: a district's streets, names only, shared by the whole deployment.",
        [typeof(PropertyFirm)] = "A firm serves estates of many communities; what it sees follows from EstateFirmContracts, which are filtered.",
        [typeof(GridBuilding)] = "A link with no data of its own; read through Grids and Buildings (filtered) or by the scope resolver.",
        [typeof(Resident)] = "A person, not an estate's: may live in several estates or none yet; lists reach them through filtered rows.",
        [typeof(RefreshToken)] = "Sign-in machinery, looked up by token hash before anyone is scoped.",
        [typeof(RoleAssignment)] = "What the scope resolver reads to build a scope; managed under the ManageAccounts policy.",
        [typeof(AdminSignInAddress)] = "Sign-in machinery, per (name, address) before anyone is scoped; lifted under ManageAccounts.",
        [typeof(AuditLog)] = "Written for every actor in SaveChanges; read under the ReadAuditLog policy (platform admins).",
        [typeof(OutboxMessage)] = "The background delivery queue, read by the dispatcher as System.",
        [typeof(Features.Files.FileChunk)] = "Bytes of an upload, read only by id after the StoredFile row (filtered) was found for the caller.",
        [typeof(Hosting.JobTick)] = "The scheduler's claims per tick (job, slot, instance); no tenant data.",
        [typeof(AdminUser)] = "Identity's user store looks accounts up before a scope exists; managed under ManageAccounts.",
        [typeof(IdentityRole<long>)] = "Identity's store (unused roles table); no tenant data.",
        [typeof(IdentityUserRole<long>)] = "Identity's store (unused roles table); no tenant data.",
        [typeof(IdentityUserClaim<long>)] = "Identity's store, read with the account it belongs to.",
        [typeof(IdentityUserLogin<long>)] = "Identity's store, read with the account it belongs to.",
        [typeof(IdentityUserToken<long>)] = "Identity's store, read with the account it belongs to.",
        [typeof(IdentityRoleClaim<long>)] = "Identity's store (unused roles table); no tenant data.",
        [typeof(Transparency.TransparencyLog)] = "Hashes only, reached through the feature that owns the log (a fund the caller sees) after its own check.",
        [typeof(Transparency.TransparencyNode)] = "Hashes only, reached through the feature that owns the log (a fund the caller sees) after its own check.",
        [typeof(Transparency.TransparencyHead)] = "Signed hashes only, reached through the feature that owns the log (a fund the caller sees) after its own check.",
    };

    /// <summary>
    /// Gives every entity type its filter: hand-written, or the OR of what it declares it belongs to; per-flat data is
    /// then narrowed to a grid worker's buildings (<see cref="FlatData"/>).
    /// </summary>
    public void Apply(ModelBuilder builder)
    {
        var handWritten = HandWritten();
        var flatData = FlatData();
        foreach (var entityType in builder.Model.GetEntityTypes().ToList())
        {
            var type = entityType.ClrType;
            var x = Expression.Parameter(type, "x");
            var clauses = Clauses(entityType, x);
            if (handWritten.TryGetValue(type, out var rule))
            {
                if (clauses.Count > 0)
                {
                    throw new InvalidOperationException($"{type.Name} has a hand-written tenancy rule, so it must not also declare owners.");
                }

                builder.Entity(type).HasQueryFilter(NarrowedToGrid(rule, flatData.GetValueOrDefault(type)));
            }
            else if (clauses.Count > 0)
            {
                builder.Entity(type).HasQueryFilter(NarrowedToGrid(Expression.Lambda(clauses.Aggregate(Expression.OrElse), x), flatData.GetValueOrDefault(type)));
            }
            else if (!Unfiltered.ContainsKey(type))
            {
                throw new InvalidOperationException(
                    $"{type.Name} has no tenancy filter: declare what it belongs to (Tenancy/Ownership.cs), or list it in TenancyRules.Unfiltered with the reason.");
            }
        }
    }

    // --- Ownership: one clause per declaration, in this order (the order only shapes the SQL). ---

    private Expression<Func<bool>> Unrestricted => () => db.ScopeUnrestricted;
    private Expression<Func<long>> CallerResidentId => () => db.ScopeResidentId;
    private Expression<Func<NeighbourHubDbContext>> Context => () => db;

    // Everyone scoped to the estate: its staff and its approved residents.
    private Expression<Func<IEstateOwned, bool>> EstateMembers => x => db.ScopeEstateIds.Contains(x.EstateId);

    // The estate's staff only.
    private Expression<Func<IEstateStaffOwned, bool>> EstateStaff => x => db.ScopeIsAdmin && db.ScopeEstateIds.Contains(x.EstateId);

    // Residents whose residence in the household is approved (a pending one shows no debts).
    private Expression<Func<IOpenToHouseholdResidents, bool>> HouseholdResidents => x => db.ScopeIsResident
        && db.Residences.Any(r => r.ResidentId == db.ScopeResidentId && r.HouseholdId == x.HouseholdId && r.Status == ResidenceStatus.Approved);

    // Everyone who sees an estate of the community.
    private Expression<Func<ICommunityOwned, bool>> CommunityMembers => x => db.ScopeCommunityIds.Contains(x.CommunityId);

    // The community's verified residents.
    private Expression<Func<IOpenToCommunityResidents, bool>> CommunityResidents => x => db.ScopeIsResident && db.ScopeCommunityIds.Contains(x.CommunityId);

    // The community's approved volunteers.
    private Expression<Func<IOpenToCommunityVolunteers, bool>> CommunityVolunteers => x => db.ScopeIsResident
        && db.VolunteerProfiles.Any(p => p.ResidentId == db.ScopeResidentId && p.CommunityId == x.CommunityId && p.Status == VolunteerStatus.Approved);

    // The community admins who run its office.
    private Expression<Func<ICommunityOfficeOwned, bool>> CommunityOffice => x => db.ScopeOfficeCommunityIds.Contains(x.CommunityId);

    private List<Expression> Clauses(IMutableEntityType entityType, ParameterExpression x)
    {
        var type = entityType.ClrType;
        var clauses = new List<Expression>();
        foreach (var owner in entityType.GetProperties().Where(p => p.PropertyInfo?.IsDefined(typeof(OwningResidentAttribute)) == true))
        {
            var key = Expression.Property(x, owner.PropertyInfo!);
            var me = CallerResidentId.Body;
            clauses.Add(Expression.Equal(key, key.Type == me.Type ? me : Expression.Convert(me, key.Type)));
        }

        Add<IEstateOwned>(EstateMembers);
        Add<IEstateStaffOwned>(EstateStaff);
        Add<IOpenToHouseholdResidents>(HouseholdResidents);
        Add<ICommunityOwned>(CommunityMembers);
        Add<IOpenToCommunityResidents>(CommunityResidents);
        Add<IOpenToCommunityVolunteers>(CommunityVolunteers);
        Add<ICommunityOfficeOwned>(CommunityOffice);
        foreach (var parent in type.GetInterfaces().Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IChildOf<>)))
        {
            clauses.Add(ParentVisible(entityType, x, parent.GetGenericArguments()[0]));
        }

        if (clauses.Count > 0)
        {
            clauses.Insert(0, Unrestricted.Body);
        }

        return clauses;

        void Add<TMarker>(Expression<Func<TMarker, bool>> clause)
        {
            if (typeof(TMarker).IsAssignableFrom(type))
            {
                clauses.Add(new Rebind(clause.Parameters[0], x).Visit(clause.Body));
            }
        }
    }

    /// <summary><c>db.Set&lt;TParent&gt;().Any(p =&gt; p.Id == x.ParentId)</c>, through the one foreign key to the parent.</summary>
    private MethodCallExpression ParentVisible(IMutableEntityType child, ParameterExpression x, Type parentType)
    {
        var keys = child.GetForeignKeys().Where(k => k.PrincipalEntityType.ClrType == parentType).ToList();
        if (keys is not [{ Properties: [var fk], PrincipalKey.Properties: [var pk] }])
        {
            throw new InvalidOperationException($"{child.ClrType.Name} is IChildOf<{parentType.Name}> but has no single-column foreign key to it.");
        }

        var p = Expression.Parameter(parentType, "p");
        var parentId = Expression.Property(p, pk.PropertyInfo!);
        var childKey = Expression.Property(x, fk.PropertyInfo!);
        var match = Expression.Lambda(Expression.Equal(parentId.Type == childKey.Type ? parentId : Expression.Convert(parentId, childKey.Type), childKey), p);
        var set = Expression.Call(Context.Body, SetMethod.MakeGenericMethod(parentType));
        return Expression.Call(AnyMethod.MakeGenericMethod(parentType), set, Expression.Quote(match));
    }

    private static readonly MethodInfo SetMethod = typeof(DbContext).GetMethod(nameof(DbContext.Set), Type.EmptyTypes)!;

    private static readonly MethodInfo AnyMethod = typeof(Queryable).GetMethods()
        .Single(m => m.Name == nameof(Queryable.Any) && m.GetParameters().Length == 2);

    // --- Per-flat data seen by a grid worker: only in the buildings of their grid (ADR 0009). ---

    /// <summary>
    /// The rows that belong to one flat, and when a grid worker sees them in an estate they see only through their grid:
    /// the flat is in one of the grid's buildings. Residences, invite codes and repairs follow their flat's filter (a
    /// repair of a public area, with no flat, stays visible to every grid of the estate: the grid worker patrols and is
    /// escalated to for it). The estate's own things — buildings, the fund, votes, notices, events, topics — are not narrowed.
    /// </summary>
    private Dictionary<Type, LambdaExpression> FlatData() => new()
    {
        [typeof(Household)] = Rule<Household>(x => db.ScopeGridBuildingIds.Contains(x.BuildingId)),
        [typeof(Residence)] = Rule<Residence>(x => db.Households.Any(h => h.Id == x.HouseholdId)),
        [typeof(InviteCode)] = Rule<InviteCode>(x => db.Households.Any(h => h.Id == x.HouseholdId)),
        [typeof(Features.Repairs.Repair)] = Rule<Features.Repairs.Repair>(x => x.HouseholdId == null || db.Households.Any(h => h.Id == x.HouseholdId)),
        // Day figures count the whole estate's flats, so a grid worker sees none in an estate seen only through their grid
        // (the home page counts their repairs live instead, ADR 0013).
        [typeof(Features.Repairs.RepairDayFigures)] = Rule<Features.Repairs.RepairDayFigures>(x => false),
    };

    /// <summary>
    /// <c>filter(x) &amp;&amp; (!narrowed || x.EstateId not grid-only || flat(x))</c>. Everyone but a grid worker has
    /// <c>narrowed</c> false, so the added clause is constant true for them and the database drops it.
    /// </summary>
    private LambdaExpression NarrowedToGrid(LambdaExpression filter, LambdaExpression? flat)
    {
        if (flat is null)
        {
            return filter;
        }

        var x = filter.Parameters[0];
        Expression<Func<bool>> narrowed = () => db.ScopeNarrowedToGrid;
        Expression<Func<long, bool>> gridOnly = estateId => db.ScopeGridOnlyEstateIds.Contains(estateId);
        var inGridOnlyEstate = ReplacingExpressionVisitor.Replace(gridOnly.Parameters[0], Expression.Property(x, "EstateId"), gridOnly.Body);
        var flatVisible = ReplacingExpressionVisitor.Replace(flat.Parameters[0], x, flat.Body);
        var narrowing = Expression.OrElse(Expression.Not(narrowed.Body), Expression.OrElse(Expression.Not(inGridOnlyEstate), flatVisible));
        return Expression.Lambda(Expression.AndAlso(filter.Body, narrowing), x);
    }

    // --- Rules that are more than ownership, written out. ---

    private Dictionary<Type, LambdaExpression> HandWritten() => new()
    {
        // The organisation tree's tenants themselves.
        [typeof(Community)] = Rule<Community>(x => db.ScopeUnrestricted || db.ScopeCommunityIds.Contains(x.Id)),
        [typeof(Estate)] = Rule<Estate>(x => db.ScopeUnrestricted || db.ScopeEstateIds.Contains(x.Id)),

        // Events: staff see those of their estates (or community-wide ones of their communities). Residents see
        // published events of their estates and communities, and every open event (not "verified residents only")
        // anywhere, which is how neighbours find them.
        [typeof(CommunityEvent)] = Rule<CommunityEvent>(x => db.ScopeUnrestricted
            || (db.ScopeIsAdmin && (x.EstateId == null ? db.ScopeCommunityIds.Contains(x.CommunityId) : db.ScopeEstateIds.Contains(x.EstateId.Value)))
            || (db.ScopeIsResident && x.Status != EventStatus.Draft
                && (!x.VerifiedOnly || (x.EstateId == null ? db.ScopeCommunityIds.Contains(x.CommunityId) : db.ScopeEstateIds.Contains(x.EstateId.Value))))),

        // A resident sees their own sign-ups (not their neighbours'); staff those of the events they see.
        [typeof(EventSignup)] = Rule<EventSignup>(x => db.ScopeUnrestricted || x.ResidentId == db.ScopeResidentId
            || (db.ScopeIsAdmin && db.Events.Any(e => e.Id == x.EventId))),

        // A resident's own account; the office sees its community's pools and escrow, and the accounts of residents
        // who live (approved) in one of its estates. Transactions are visible when one of their postings is.
        [typeof(TimeBankAccount)] = Rule<TimeBankAccount>(x => db.ScopeUnrestricted || x.ResidentId == db.ScopeResidentId
            || (x.CommunityId != null
                ? db.ScopeOfficeCommunityIds.Contains(x.CommunityId.Value)
                : db.Residences.Any(r => r.ResidentId == x.ResidentId && r.Status == ResidenceStatus.Approved && db.ScopeOfficeEstateIds.Contains(r.EstateId)))),
        [typeof(LedgerTransaction)] = Rule<LedgerTransaction>(x => db.ScopeUnrestricted || db.LedgerPostings.Any(p => p.TransactionId == x.Id)),

        // Files: the uploader sees their own; anyone else only through a repair photo, a fund voucher, a notice's
        // attachment or (staff) a paper ballot's scan they can see.
        [typeof(StoredFile)] = Rule<StoredFile>(x => db.ScopeUnrestricted || x.UploadedByResidentId == db.ScopeResidentId
            || (db.ScopeIsAdmin && x.UploadedByAdminId == db.ScopeAdminUserId) || db.RepairPhotos.Any(p => p.FileId == x.Id)
            || db.FundAttachments.Any(a => a.FileId == x.Id) || db.NoticeAttachments.Any(a => a.FileId == x.Id)
            || db.Ballots.Any(b => b.ScanFileId == x.Id)),

        // Topics: the estate's staff see all; its residents those not held by content screening; an author their own.
        [typeof(Topic)] = Rule<Topic>(x => db.ScopeUnrestricted || (db.ScopeIsAdmin && db.ScopeEstateIds.Contains(x.EstateId))
            || x.AuthorResidentId == db.ScopeResidentId || (db.ScopeIsResident && !x.Held && db.ScopeEstateIds.Contains(x.EstateId))),
        [typeof(TopicComment)] = Rule<TopicComment>(x => db.ScopeUnrestricted || x.ResidentId == db.ScopeResidentId
            || (db.Topics.Any(t => t.Id == x.TopicId) && (db.ScopeIsAdmin || !x.Held))),

        // Notices: staff see those of the estates and communities in their scope; residents those addressed to their
        // community, their estates, or a building where a residence of theirs is approved (the scope's home buildings,
        // resolved with it: the rule reads a list, not the residences, since it is applied again inside every query
        // that reaches a notice's children). When residents see one is a matter of its publication time, decided by the queries.
        [typeof(Notice)] = Rule<Notice>(x => db.ScopeUnrestricted
            || (db.ScopeIsAdmin && (x.EstateId == null ? db.ScopeCommunityIds.Contains(x.CommunityId) : db.ScopeEstateIds.Contains(x.EstateId.Value)))
            || (db.ScopeIsResident && (x.ScopeLevel == NoticeScopeLevel.Community ? db.ScopeCommunityIds.Contains(x.CommunityId)
                : x.ScopeLevel == NoticeScopeLevel.Estate ? db.ScopeEstateIds.Contains(x.EstateId!.Value)
                : db.ScopeHomeBuildingIds.Contains(x.BuildingId!.Value)))),

        // Read receipts: a reader sees their own; staff those of the notices they see (counted per flat, never named).
        // A neighbour's reading is not another resident's to see — and the residents' notice list joins the caller's
        // receipts on every visit, where "visible with its notice" put a notice subquery into each statement.
        [typeof(NoticeRead)] = Rule<NoticeRead>(x => db.ScopeUnrestricted || x.ResidentId == db.ScopeResidentId
            || (db.ScopeIsAdmin && db.Notices.Any(n => n.Id == x.NoticeId))),
    };

    private static LambdaExpression Rule<T>(Expression<Func<T, bool>> rule) => rule;

    /// <summary>Turns a clause written for a marker interface into one on the entity's own properties, as if written by hand.</summary>
    private sealed class Rebind(ParameterExpression marker, ParameterExpression entity) : ExpressionVisitor
    {
        protected override Expression VisitMember(MemberExpression node) =>
            node.Expression == marker
                ? Expression.Property(entity, entity.Type.GetProperty(node.Member.Name)
                    ?? throw new InvalidOperationException($"{entity.Type.Name} must implement {node.Member.DeclaringType?.Name}.{node.Member.Name} as a public property."))
                : base.VisitMember(node);

        protected override Expression VisitParameter(ParameterExpression node) => node == marker ? entity : node;
    }
}
