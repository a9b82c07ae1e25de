"""coalitionlab.reports"""
