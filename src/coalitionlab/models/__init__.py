"""coalitionlab.models"""
