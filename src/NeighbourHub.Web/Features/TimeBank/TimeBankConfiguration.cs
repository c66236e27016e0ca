using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Features.Organisation;

namespace NeighbourHub.Web.Features.TimeBank;

internal sealed class TimeBankAccountConfiguration : IEntityTypeConfiguration<TimeBankAccount>
{
    public void Configure(EntityTypeBuilder<TimeBankAccount> b)
    {
        b.ToTable("TimeBankAccounts");
        b.Property(x => x.Kind).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.OwnerKey).HasMaxLength(32);
        b.HasIndex(x => x.OwnerKey).IsUnique();
        b.HasOne<Resident>().WithMany().HasForeignKey(x => x.ResidentId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Community>().WithMany().HasForeignKey(x => x.CommunityId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class LedgerTransactionConfiguration : IEntityTypeConfiguration<LedgerTransaction>
{
    public void Configure(EntityTypeBuilder<LedgerTransaction> b)
    {
        b.ToTable("LedgerTransactions");
        b.Property(x => x.SourceRef).HasMaxLength(160);
        b.Property(x => x.Category).HasConversion<string>().HasMaxLength(32);
        b.Property(x => x.Memo).HasMaxLength(200);
        b.HasIndex(x => x.SourceRef).IsUnique();
        b.HasIndex(x => new { x.CommunityId, x.CreatedAt });
    }
}

internal sealed class LedgerPostingConfiguration : IEntityTypeConfiguration<LedgerPosting>
{
    public void Configure(EntityTypeBuilder<LedgerPosting> b)
    {
        b.ToTable("LedgerPostings");
        b.HasOne<LedgerTransaction>().WithMany().HasForeignKey(x => x.TransactionId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<TimeBankAccount>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(x => new { x.AccountId, x.TransactionId });
    }
}

internal sealed class RewardConfiguration : IEntityTypeConfiguration<Reward>
{
    public void Configure(EntityTypeBuilder<Reward> b)
    {
        b.ToTable("Rewards");
        b.Property(x => x.Name).HasMaxLength(100);
        b.HasOne<Community>().WithMany().HasForeignKey(x => x.CommunityId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class RedemptionConfiguration : IEntityTypeConfiguration<Redemption>
{
    public void Configure(EntityTypeBuilder<Redemption> b)
    {
        b.ToTable("Redemptions");
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.RequestKey).HasMaxLength(160);
        b.HasIndex(x => x.RequestKey).IsUnique();
        b.HasIndex(x => new { x.RewardId, x.ResidentId, x.Status });
        b.HasOne<Reward>().WithMany().HasForeignKey(x => x.RewardId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Resident>().WithMany().HasForeignKey(x => x.ResidentId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<LedgerTransaction>().WithMany().HasForeignKey(x => x.TransactionId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class VolunteerProfileConfiguration : IEntityTypeConfiguration<VolunteerProfile>
{
    public void Configure(EntityTypeBuilder<VolunteerProfile> b)
    {
        b.ToTable("VolunteerProfiles");
        b.HasKey(x => x.ResidentId);
        b.Property(x => x.Skills).HasMaxLength(200);
        b.Property(x => x.Intro).HasMaxLength(500);
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
        b.HasOne<Resident>().WithOne().HasForeignKey<VolunteerProfile>(x => x.ResidentId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Community>().WithMany().HasForeignKey(x => x.CommunityId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class ServiceOrderConfiguration : IEntityTypeConfiguration<ServiceOrder>
{
    public void Configure(EntityTypeBuilder<ServiceOrder> b)
    {
        b.ToTable("ServiceOrders");
        b.Property(x => x.Title).HasMaxLength(100);
        b.Property(x => x.Description).HasMaxLength(1000);
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(16).IsConcurrencyToken();
        b.Property(x => x.Comment).HasMaxLength(500);
        b.Property(x => x.DisputeReason).HasMaxLength(500);
        b.Property(x => x.Resolution).HasMaxLength(500);
        b.Property(x => x.RequestKey).HasMaxLength(160);
        b.HasIndex(x => x.RequestKey).IsUnique();
        b.HasIndex(x => new { x.CommunityId, x.Status });
        b.HasOne<Resident>().WithMany().HasForeignKey(x => x.RequesterId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Resident>().WithMany().HasForeignKey(x => x.VolunteerId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Community>().WithMany().HasForeignKey(x => x.CommunityId).OnDelete(DeleteBehavior.Restrict);
    }
}
