using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NeighbourHub.Web.Data.Migrations.MySql
{
    /// <inheritdoc />
    public partial class ConsoleDesk : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ContactPhone",
                table: "Repairs",
                type: "varchar(20)",
                maxLength: 20,
                nullable: true,
                collation: "utf8mb4_unicode_ci")
                .Annotation("MySql:CharSet", "utf8mb4");

            migrationBuilder.AddColumn<long>(
                name: "RecordedById",
                table: "Repairs",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ReporterName",
                table: "Repairs",
                type: "varchar(50)",
                maxLength: 50,
                nullable: true,
                collation: "utf8mb4_unicode_ci")
                .Annotation("MySql:CharSet", "utf8mb4");

            migrationBuilder.CreateIndex(
                name: "IX_Repairs_RecordedById",
                table: "Repairs",
                column: "RecordedById");

            migrationBuilder.AddForeignKey(
                name: "FK_Repairs_AdminUsers_RecordedById",
                table: "Repairs",
                column: "RecordedById",
                principalTable: "AdminUsers",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_Repairs_AdminUsers_RecordedById",
                table: "Repairs");

            migrationBuilder.DropIndex(
                name: "IX_Repairs_RecordedById",
                table: "Repairs");

            migrationBuilder.DropColumn(
                name: "ContactPhone",
                table: "Repairs");

            migrationBuilder.DropColumn(
                name: "RecordedById",
                table: "Repairs");

            migrationBuilder.DropColumn(
                name: "ReporterName",
                table: "Repairs");
        }
    }
}
