using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace NeighbourHub.Web.Features.Identity;

internal sealed class ResidentConfiguration : IEntityTypeConfiguration<Resident>
{
    public void Configure(EntityTypeBuilder<Resident> b)
    {
        b.Property(x => x.OpenId).HasMaxLength(64);
        b.Property(x => x.UnionId).HasMaxLength(64);
        b.Property(x => x.Nickname).HasMaxLength(64);
        b.Property(x => x.PhoneNumber).HasMaxLength(20);
        b.Property(x => x.PhoneTail).HasMaxLength(4);
        b.HasIndex(x => x.OpenId).IsUnique();
        b.HasIndex(x => x.PhoneTail);
    }
}

internal sealed class RefreshTokenConfiguration : IEntityTypeConfiguration<RefreshToken>
{
    public void Configure(EntityTypeBuilder<RefreshToken> b)
    {
        b.Property(x => x.TokenHash).HasMaxLength(64).IsFixedLength();
        b.HasIndex(x => x.TokenHash).IsUnique();
        b.HasIndex(x => x.FamilyId);
        b.HasOne<Resident>().WithMany().HasForeignKey(x => x.ResidentId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class AdminUserConfiguration : IEntityTypeConfiguration<AdminUser>
{
    public void Configure(EntityTypeBuilder<AdminUser> b) => b.Property(x => x.DisplayName).HasMaxLength(64);
}

internal sealed class RoleAssignmentConfiguration : IEntityTypeConfiguration<RoleAssignment>
{
    public void Configure(EntityTypeBuilder<RoleAssignment> b)
    {
        b.Property(x => x.Role).HasConversion<string>().HasMaxLength(32);
        b.Ignore(x => x.ScopeId);
        b.HasOne<AdminUser>().WithMany().HasForeignKey(x => x.AdminUserId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(x => new { x.AdminUserId, x.Role, x.CommunityId, x.PropertyFirmId, x.GridId, x.EstateId }).IsUnique();
    }
}
