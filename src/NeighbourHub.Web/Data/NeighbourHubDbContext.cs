using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using NeighbourHub.Web.Features.Audit;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Features.Organisation;
using NeighbourHub.Web.Features.Residents;
using NeighbourHub.Web.Tenancy;

namespace NeighbourHub.Web.Data;

/// <summary>
/// The one DbContext. Provider-specific subclasses (<see cref="SqliteNeighbourHubDbContext"/>,
/// <see cref="MySqlNeighbourHubDbContext"/>) exist only so each provider keeps its own migrations.
/// Query filters read <see cref="Scope"/> at query time (their rules are in <see cref="TenancyRules"/>), and
/// every change made while an admin is the actor is written to the audit log in the same transaction.
/// </summary>
public abstract class NeighbourHubDbContext(DbContextOptions options)
    : IdentityDbContext<AdminUser, IdentityRole<long>, long>(options)
{
    /// <summary>Who is asking. Defaults to nobody, so a context nobody scoped sees nothing.</summary>
    public CurrentScope Scope { get; set; } = new();

    /// <summary>The clock stamped on audit rows; the host sets the injected <see cref="TimeProvider"/>.</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    // What TenancyRules' filters read. Flat members of the context, so EF turns each into a query parameter
    // of the running context (the filters and compiled queries stay shared); -1 matches no id.
    internal bool ScopeUnrestricted => Scope.Value.Unrestricted;
    internal IReadOnlyList<long> ScopeEstateIds => Scope.Value.EstateIds;
    internal IReadOnlyList<long> ScopeCommunityIds => Scope.Value.CommunityIds;
    internal long ScopeResidentId => Scope.Value.ResidentId ?? -1;
    internal bool ScopeIsAdmin => Scope.Value.Kind == ScopeKind.Admin;
    internal long ScopeAdminUserId => Scope.Value.AdminUserId ?? -1;
    internal bool ScopeIsResident => Scope.Value.Kind == ScopeKind.Resident;
    internal IReadOnlyList<long> ScopeOfficeCommunityIds => Scope.Value.OfficeCommunityIds ?? [];
    internal IReadOnlyList<long> ScopeOfficeEstateIds => Scope.Value.OfficeEstateIds ?? [];
    internal bool ScopeNarrowedToGrid => Scope.Value.NarrowedToGrid;
    internal IReadOnlyList<long> ScopeGridOnlyEstateIds => Scope.Value.GridOnlyEstateIds ?? [];
    internal IReadOnlyList<long> ScopeGridBuildingIds => Scope.Value.GridBuildingIds ?? [];
    internal IReadOnlyList<long> ScopeHomeBuildingIds => Scope.Value.HomeBuildingIds ?? [];

    public DbSet<Street> Streets => Set<Street>();
    public DbSet<Community> Communities => Set<Community>();
    public DbSet<Estate> Estates => Set<Estate>();
    public DbSet<Building> Buildings => Set<Building>();
    public DbSet<Unit> Units => Set<Unit>();
    public DbSet<Household> Households => Set<Household>();
    public DbSet<PropertyFirm> PropertyFirms => Set<PropertyFirm>();
    public DbSet<EstateFirmContract> EstateFirmContracts => Set<EstateFirmContract>();
    public DbSet<Grid> Grids => Set<Grid>();
    public DbSet<GridBuilding> GridBuildings => Set<GridBuilding>();
    public DbSet<Resident> Residents => Set<Resident>();
    public DbSet<RefreshToken> RefreshTokens => Set<RefreshToken>();
    public DbSet<RoleAssignment> RoleAssignments => Set<RoleAssignment>();
    public DbSet<AdminSignInAddress> AdminSignInAddresses => Set<AdminSignInAddress>();
    public DbSet<Residence> Residences => Set<Residence>();
    public DbSet<InviteCode> InviteCodes => Set<InviteCode>();
    public DbSet<AuditLog> AuditLogs => Set<AuditLog>();
    public DbSet<Features.Events.CommunityEvent> Events => Set<Features.Events.CommunityEvent>();
    public DbSet<Features.Events.EventSignup> EventSignups => Set<Features.Events.EventSignup>();
    public DbSet<Features.TimeBank.TimeBankAccount> TimeBankAccounts => Set<Features.TimeBank.TimeBankAccount>();
    public DbSet<Features.TimeBank.LedgerTransaction> LedgerTransactions => Set<Features.TimeBank.LedgerTransaction>();
    public DbSet<Features.TimeBank.LedgerPosting> LedgerPostings => Set<Features.TimeBank.LedgerPosting>();
    public DbSet<Features.TimeBank.Reward> Rewards => Set<Features.TimeBank.Reward>();
    public DbSet<Features.TimeBank.Redemption> Redemptions => Set<Features.TimeBank.Redemption>();
    public DbSet<Features.TimeBank.VolunteerProfile> VolunteerProfiles => Set<Features.TimeBank.VolunteerProfile>();
    public DbSet<Features.TimeBank.ServiceOrder> ServiceOrders => Set<Features.TimeBank.ServiceOrder>();
    public DbSet<Features.Repairs.RepairCategory> RepairCategories => Set<Features.Repairs.RepairCategory>();
    public DbSet<Features.Repairs.Repair> Repairs => Set<Features.Repairs.Repair>();
    public DbSet<Features.Repairs.RepairEvent> RepairEvents => Set<Features.Repairs.RepairEvent>();
    public DbSet<Features.Notifications.OutboxMessage> OutboxMessages => Set<Features.Notifications.OutboxMessage>();
    public DbSet<Features.Repairs.RepairPhoto> RepairPhotos => Set<Features.Repairs.RepairPhoto>();
    public DbSet<Features.Repairs.RepairEscalation> RepairEscalations => Set<Features.Repairs.RepairEscalation>();
    public DbSet<Features.Repairs.RepairDayFigures> RepairDayFigures => Set<Features.Repairs.RepairDayFigures>();
    public DbSet<Features.Repairs.Open311ApiKey> Open311ApiKeys => Set<Features.Repairs.Open311ApiKey>();
    public DbSet<Features.Files.StoredFile> StoredFiles => Set<Features.Files.StoredFile>();
    public DbSet<Features.Files.FileChunk> FileChunks => Set<Features.Files.FileChunk>();
    public DbSet<Hosting.JobTick> JobTicks => Set<Hosting.JobTick>();
    public DbSet<Features.Billing.FeeItem> FeeItems => Set<Features.Billing.FeeItem>();
    public DbSet<Features.Billing.FeeExemption> FeeExemptions => Set<Features.Billing.FeeExemption>();
    public DbSet<Features.Billing.Bill> Bills => Set<Features.Billing.Bill>();
    public DbSet<Features.Billing.BillingRun> BillingRuns => Set<Features.Billing.BillingRun>();
    public DbSet<Features.Payments.Payment> Payments => Set<Features.Payments.Payment>();
    public DbSet<Features.Payments.PaymentBill> PaymentBills => Set<Features.Payments.PaymentBill>();
    public DbSet<Features.Payments.Refund> Refunds => Set<Features.Payments.Refund>();
    public DbSet<Transparency.TransparencyLog> TransparencyLogs => Set<Transparency.TransparencyLog>();
    public DbSet<Transparency.TransparencyNode> TransparencyNodes => Set<Transparency.TransparencyNode>();
    public DbSet<Transparency.TransparencyHead> TransparencyHeads => Set<Transparency.TransparencyHead>();
    public DbSet<Features.Fund.FundAccount> FundAccounts => Set<Features.Fund.FundAccount>();
    public DbSet<Features.Fund.FundEntry> FundEntries => Set<Features.Fund.FundEntry>();
    public DbSet<Features.Fund.FundAttachment> FundAttachments => Set<Features.Fund.FundAttachment>();
    public DbSet<Features.Fund.FundExpense> FundExpenses => Set<Features.Fund.FundExpense>();
    public DbSet<Features.Fund.ExpenseApproval> ExpenseApprovals => Set<Features.Fund.ExpenseApproval>();
    public DbSet<Features.Fund.ExpenseStep> ExpenseSteps => Set<Features.Fund.ExpenseStep>();
    public DbSet<Features.Fund.FundBudget> FundBudgets => Set<Features.Fund.FundBudget>();
    public DbSet<Features.Fund.FundBudgetLine> FundBudgetLines => Set<Features.Fund.FundBudgetLine>();
    public DbSet<Features.Fund.BudgetApproval> BudgetApprovals => Set<Features.Fund.BudgetApproval>();
    public DbSet<Features.Fund.FundQuestion> FundQuestions => Set<Features.Fund.FundQuestion>();
    public DbSet<Features.Fund.FundStatement> FundStatements => Set<Features.Fund.FundStatement>();
    public DbSet<Features.Topics.Topic> Topics => Set<Features.Topics.Topic>();
    public DbSet<Features.Topics.TopicSupport> TopicSupports => Set<Features.Topics.TopicSupport>();
    public DbSet<Features.Topics.TopicComment> TopicComments => Set<Features.Topics.TopicComment>();
    public DbSet<Features.Topics.TopicStep> TopicSteps => Set<Features.Topics.TopicStep>();
    public DbSet<Features.Notices.Notice> Notices => Set<Features.Notices.Notice>();
    public DbSet<Features.Notices.NoticeAttachment> NoticeAttachments => Set<Features.Notices.NoticeAttachment>();
    public DbSet<Features.Notices.NoticeRead> NoticeReads => Set<Features.Notices.NoticeRead>();
    public DbSet<Features.Votes.Vote> Votes => Set<Features.Votes.Vote>();
    public DbSet<Features.Votes.VoteOption> VoteOptions => Set<Features.Votes.VoteOption>();
    public DbSet<Features.Votes.Voter> Voters => Set<Features.Votes.Voter>();
    public DbSet<Features.Votes.VoterFlat> VoterFlats => Set<Features.Votes.VoterFlat>();
    public DbSet<Features.Votes.VoterMember> VoterMembers => Set<Features.Votes.VoterMember>();
    public DbSet<Features.Votes.Ballot> Ballots => Set<Features.Votes.Ballot>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(NeighbourHubDbContext).Assembly);
        builder.Entity<AdminUser>().ToTable("AdminUsers");
        builder.Entity<IdentityRole<long>>().ToTable("AdminRoles");
        builder.Entity<IdentityUserRole<long>>().ToTable("AdminUserRoles");
        builder.Entity<IdentityUserClaim<long>>().ToTable("AdminUserClaims");
        builder.Entity<IdentityUserLogin<long>>().ToTable("AdminUserLogins");
        builder.Entity<IdentityUserToken<long>>().ToTable("AdminUserTokens");
        builder.Entity<IdentityRoleClaim<long>>().ToTable("AdminRoleClaims");

        // Tenancy: every entity's filter follows from what it declares it belongs to (Tenancy/TenancyRules.cs).
        new TenancyRules(this).Apply(builder);
    }

    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        var actor = Scope.Value;
        if (actor.AdminUserId is null)
        {
            return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        }

        var pending = ChangeTracker.Entries().Where(IsAudited).Select(e => new PendingAudit(e)).ToList();
        if (pending.Count == 0)
        {
            return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        }

        // The change and its audit rows commit together: nothing is half-written.
        var ownTransaction = Database.CurrentTransaction is null ? await Database.BeginTransactionAsync(cancellationToken) : null;
        try
        {
            var written = await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
            var now = Clock.GetUtcNow();
            var traceId = Activity.Current?.TraceId.ToString();
            AuditLogs.AddRange(pending.Select(p => p.ToLog(actor, now, traceId)));
            await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
            if (ownTransaction is not null)
            {
                await ownTransaction.CommitAsync(cancellationToken);
            }

            return written;
        }
        finally
        {
            if (ownTransaction is not null)
            {
                await ownTransaction.DisposeAsync();
            }
        }
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess) =>
        SaveChangesAsync(acceptAllChangesOnSuccess).GetAwaiter().GetResult();

    /// <summary>Records an action that changes no audited row (sign-in, export…).</summary>
    public void Audit(string action, string entityType = "", string? entityId = null, object? details = null)
    {
        var actor = Scope.Value;
        AuditLogs.Add(new AuditLog
        {
            At = Clock.GetUtcNow(),
            ActorId = actor.AdminUserId,
            ActorName = actor.ActorName,
            Action = action,
            EntityType = entityType,
            EntityId = entityId,
            After = details is null ? null : JsonSerializer.Serialize(details, AuditJson),
            TraceId = Activity.Current?.TraceId.ToString(),
        });
    }

    private static readonly JsonSerializerOptions AuditJson = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    /// <summary>Secrets never go into the audit log, not even hashed.</summary>
    private static readonly HashSet<string> SecretProperties =
        [nameof(AdminUser.PasswordHash), nameof(AdminUser.SecurityStamp), nameof(AdminUser.ConcurrencyStamp), nameof(RefreshToken.TokenHash)];

    private static bool IsAudited(EntityEntry e) =>
        e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted
        && e.Entity is not AuditLog and not RefreshToken and not IdentityUserToken<long> and not Features.Notifications.OutboxMessage
        // Bytes of uploads (the StoredFile row is audited) and the scheduler's own bookkeeping.
        and not Features.Files.FileChunk and not Hosting.JobTick
        // A ballot's option must not reach the audit log while the vote is secret: staff entering a paper ballot
        // are audited by the votes feature with the flat and channel only.
        and not Features.Votes.Ballot
        // Counters derived from the repairs (each change is audited on the repair itself).
        and not Features.Repairs.RepairDayFigures;

    private sealed class PendingAudit(EntityEntry entry)
    {
        private readonly string _action = entry.State.ToString().ToLowerInvariant();
        private readonly Dictionary<string, object?>? _before = entry.State == EntityState.Added ? null : Snapshot(entry, original: true);

        public AuditLog ToLog(AccessScope actor, DateTimeOffset at, string? traceId)
        {
            var key = entry.Metadata.FindPrimaryKey()?.Properties.Select(p => entry.Property(p.Name).CurrentValue?.ToString());
            return new AuditLog
            {
                At = at,
                ActorId = actor.AdminUserId,
                ActorName = actor.ActorName,
                Action = _action,
                EntityType = entry.Metadata.ClrType.Name,
                EntityId = key is null ? null : string.Join(",", key),
                Before = _before is null ? null : JsonSerializer.Serialize(_before, AuditJson),
                After = _action == "deleted" ? null : JsonSerializer.Serialize(Snapshot(entry, original: false), AuditJson),
                TraceId = traceId,
            };
        }

        private static Dictionary<string, object?> Snapshot(EntityEntry entry, bool original) =>
            entry.Properties
                .Where(p => !SecretProperties.Contains(p.Metadata.Name))
                .ToDictionary(p => p.Metadata.Name, p => original ? p.OriginalValue : p.CurrentValue);
    }
}

/// <summary>SQLite (the embedded default). Owns <c>Data/Migrations/Sqlite</c>.</summary>
public sealed class SqliteNeighbourHubDbContext(DbContextOptions<SqliteNeighbourHubDbContext> options) : NeighbourHubDbContext(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite cannot compare or order DateTimeOffset or decimal in SQL; store them as numbers it can.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<Microsoft.EntityFrameworkCore.Storage.ValueConversion.DateTimeOffsetToBinaryConverter>();
        configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<Microsoft.EntityFrameworkCore.Storage.ValueConversion.DateTimeOffsetToBinaryConverter>();
        configurationBuilder.Properties<decimal>().HaveConversion<double>();
    }
}

/// <summary>MariaDB 10.11+ / MySQL 8 through Pomelo. Owns <c>Data/Migrations/MySql</c>.</summary>
public sealed class MySqlNeighbourHubDbContext(DbContextOptions<MySqlNeighbourHubDbContext> options) : NeighbourHubDbContext(options)
{
    protected override void OnModelCreating(ModelBuilder builder)
    {
        // Without an explicit collation the initial migration would reset the database to utf8mb4_general_ci.
        builder.HasCharSet("utf8mb4").UseCollation("utf8mb4_unicode_ci");
        base.OnModelCreating(builder);
    }
}
